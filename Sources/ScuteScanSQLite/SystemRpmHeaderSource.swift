import CScuteSQLite
import ScuteScan

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads rpmdb.sqlite with the system SQLite C API. GRDB (the console's choice) would be too large for the
/// static defender executable; this needs only libsqlite3.
package struct SystemRpmHeaderSource: RpmHeaderSource {
    package init() {}

    /// The most virtual-machine steps (in thousands) a read may take: a hostile database (a `Packages` view over
    /// a recursive query) must not hold the scan.
    static let maxProgressCalls = 50_000
    /// The most header bytes read in all, and the most packages (a real database holds a few thousand).
    static let maxTotalBytes = 512 << 20
    static let maxPackages = 100_000

    /// The `blob` of every row of the `Packages` table, opened read-only and immutable (no journal files written).
    /// The file is the app's to shape: it is opened without blocking and without following a link, must be a
    /// regular file (a FIFO would block SQLite's open for good), and SQLite reads that very file through
    /// /proc/self/fd; views and triggers cannot call functions with side effects, and the work is bounded.
    package func packageHeaderBlobs(databasePath path: String) throws -> [[UInt8]] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw ScanError.io("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { throw ScanError.io("\(path) is not a regular file") }
        let viaDescriptor = "/proc/self/fd/\(fd)"
        let target = access(viaDescriptor, F_OK) == 0 ? viaDescriptor : path
        var database: OpaquePointer?
        let uri = "file:" + percentEncoded(target) + "?immutable=1"
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(uri, &database, flags, nil) == SQLITE_OK, let database else {
            let message = database.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(database)
            throw ScanError.io("cannot open \(path): \(message)")
        }
        defer { sqlite3_close(database) }
        _ = sqlite3_exec(database, "PRAGMA trusted_schema = OFF", nil, nil, nil)
        _ = sqlite3_limit(database, SQLITE_LIMIT_LENGTH, 64 << 20)
        let budget = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        budget.initialize(to: Self.maxProgressCalls)
        defer { budget.deallocate() }
        sqlite3_progress_handler(
            database,
            1000,
            { context in
                guard let left = context?.assumingMemoryBound(to: Int.self) else { return 1 }
                left.pointee -= 1
                return left.pointee < 0 ? 1 : 0
            },
            budget
        )
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database, "SELECT blob FROM Packages", -1, &statement, nil) == SQLITE_OK, let statement else {
            throw ScanError.corrupt("\(path) is not an rpm database: \(String(cString: sqlite3_errmsg(database)))")
        }
        defer { sqlite3_finalize(statement) }
        var blobs: [[UInt8]] = []
        var total = 0
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else {
                throw ScanError.corrupt("reading \(path): \(String(cString: sqlite3_errmsg(database)))")
            }
            let count = Int(sqlite3_column_bytes(statement, 0))
            total += count
            guard blobs.count < Self.maxPackages else { throw ScanError.corrupt("\(path): more than \(Self.maxPackages) packages") }
            guard total <= Self.maxTotalBytes else {
                throw ScanError.corrupt("\(path): more than \(Self.maxTotalBytes >> 20) MiB of package headers")
            }
            if let pointer = sqlite3_column_blob(statement, 0), count > 0 {
                blobs.append(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
            } else {
                blobs.append([])
            }
        }
        return blobs
    }

    /// Escapes the characters that would end or change a SQLite URI's path.
    private func percentEncoded(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"), 0..<0x20, 0x7f...:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            default:
                out.append(Character(Unicode.Scalar(byte)))
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
