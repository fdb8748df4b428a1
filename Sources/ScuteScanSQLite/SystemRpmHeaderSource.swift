import CScuteSQLite
import ScuteScan

/// Reads rpmdb.sqlite with the system SQLite C API. GRDB (the console's choice) would be too large for the
/// static defender executable; this needs only libsqlite3.
package struct SystemRpmHeaderSource: RpmHeaderSource {
    package init() {}

    /// The `blob` of every row of the `Packages` table, opened read-only and immutable (no journal files written).
    package func packageHeaderBlobs(databasePath path: String) throws -> [[UInt8]] {
        var database: OpaquePointer?
        let uri = "file:" + percentEncoded(path) + "?immutable=1"
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(uri, &database, flags, nil) == SQLITE_OK, let database else {
            let message = database.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(database)
            throw ScanError.io("cannot open \(path): \(message)")
        }
        defer { sqlite3_close(database) }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(database, "SELECT blob FROM Packages", -1, &statement, nil) == SQLITE_OK, let statement else {
            throw ScanError.corrupt("\(path) is not an rpm database: \(String(cString: sqlite3_errmsg(database)))")
        }
        defer { sqlite3_finalize(statement) }
        var blobs: [[UInt8]] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else {
                throw ScanError.corrupt("reading \(path): \(String(cString: sqlite3_errmsg(database)))")
            }
            let count = Int(sqlite3_column_bytes(statement, 0))
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
