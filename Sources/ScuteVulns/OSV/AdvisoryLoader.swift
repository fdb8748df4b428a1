import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Advisories read from a folder or an archive, and the files that could not be read.
package struct AdvisoryLoad: Sendable {
    package var advisories: [OSVAdvisory] = []
    /// One error per unreadable file or archive entry, naming it; the other files are still loaded.
    package var problems: [VulnsError] = []
    /// How many files or entries were read.
    package var documents = 0

    package init() {}

    mutating func append(_ other: AdvisoryLoad) {
        advisories += other.advisories
        problems += other.problems
        documents += other.documents
    }
}

/// Reads OSV records: every `*.json` file under a folder (recursively), or the documents of an archive. Files are
/// read and parsed on all cores; a bad file is reported in `problems` and skipped.
package enum AdvisoryLoader {
    /// A file larger than this is reported rather than read (OSV records are a few kilobytes).
    static let maximumDocumentSize = 64 << 20

    /// Loads every `*.json` file under `folder`. Throws `VulnsError` when the folder itself cannot be read.
    package static func load(folder: String) throws -> AdvisoryLoad {
        var listing = Listing()
        defer { listing.close() }
        try listing.add(folder: folder)
        let files = listing.files.sorted { ($0.folder, $0.name) < ($1.folder, $1.name) }
        let descriptors = listing.descriptors
        let paths = listing.paths
        return parallelMap(files.count) { index, buffer, load in
            let file = files[index]
            load.documents += 1
            do {
                let count = try read(file.name, in: descriptors[file.folder], into: &buffer)
                load.advisories += try buffer.withUnsafeBytes { try OSVAdvisory.records(fromJSON: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            } catch let error as VulnsError {
                load.problems.append(error.in(paths[file.folder] + file.name))
            } catch {
                load.problems.append(VulnsError.unreadable(path: paths[file.folder] + file.name, reason: "\(error)"))
            }
        }
    }

    /// Parses already-read documents (the entries of an archive), named for error messages.
    package static func load(documents: [(name: String, bytes: [UInt8])]) -> AdvisoryLoad {
        parallelMap(documents.count) { index, _, load in
            load.documents += 1
            do {
                load.advisories += try OSVAdvisory.records(fromJSON: documents[index].bytes)
            } catch let error as VulnsError {
                load.problems.append(error.in(documents[index].name))
            } catch {
                load.problems.append(VulnsError.unreadable(path: documents[index].name, reason: "\(error)"))
            }
        }
    }

    /// Runs `body` over `0..<count` on a few threads, each with its own read buffer; results keep index order.
    private static func parallelMap(_ count: Int, _ body: (Int, inout [UInt8], inout AdvisoryLoad) -> Void) -> AdvisoryLoad {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8, count / 64))
        var partial = [AdvisoryLoad](repeating: AdvisoryLoad(), count: workers)
        partial.withUnsafeMutableBufferPointer { slots in
            nonisolated(unsafe) let slots = slots
            withoutActuallyEscaping(body) { body in
                nonisolated(unsafe) let body = body
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    var buffer = [UInt8](repeating: 0, count: 64 << 10)
                    var load = AdvisoryLoad()
                    let start = count * worker / workers
                    let end = count * (worker + 1) / workers
                    for index in start..<end { body(index, &buffer, &load) }
                    slots[worker] = load
                }
            }
        }
        var result = AdvisoryLoad()
        for load in partial { result.append(load) }
        return result
    }

    /// Reads the whole file `name` of the open folder `folder` into `buffer` (grown when needed); returns its length.
    /// No fstat: a read that does not fill the buffer reached the end of a regular file, so a record smaller than the
    /// buffer costs one open, one read and one close.
    private static func read(_ name: String, in folder: Int32, into buffer: inout [UInt8]) throws -> Int {
        let descriptor = openat(folder, name, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw VulnsError.unreadable(path: name, reason: String(cString: strerror(errno))) }
        defer { Glibc.close(descriptor) }
        var total = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(descriptor, raw.baseAddress! + total, raw.count - total)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw VulnsError.unreadable(path: name, reason: String(cString: strerror(errno)))
            }
            total += count
            if total < buffer.count { return total }
            guard buffer.count < maximumDocumentSize else {
                throw VulnsError.unreadable(path: name, reason: "larger than \(maximumDocumentSize) bytes")
            }
            buffer += [UInt8](repeating: 0, count: buffer.count)
        }
    }

    /// The `*.json` regular files under a folder, each named relative to an open descriptor of its folder (opening
    /// by `openat` skips walking the whole path 50,000 times).
    private struct Listing {
        var descriptors: [Int32] = []
        var paths: [String] = []
        var files: [(folder: Int, name: String)] = []

        mutating func add(folder: String) throws {
            let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0, let directory = fdopendir(dup(descriptor)) else {
                throw VulnsError.unreadable(path: folder, reason: String(cString: strerror(errno)))
            }
            defer { closedir(directory) }
            let folderIndex = descriptors.count
            descriptors.append(descriptor)
            paths.append(folder.hasSuffix("/") ? folder : folder + "/")
            var subfolders: [String] = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                var type = Int32(entry.pointee.d_type)
                if type == Int32(DT_UNKNOWN) {
                    var info = stat()
                    guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                    let format = info.st_mode & S_IFMT
                    type = format == S_IFDIR ? Int32(DT_DIR) : (format == S_IFREG ? Int32(DT_REG) : 0)
                }
                if type == Int32(DT_DIR) {
                    subfolders.append(paths[folderIndex] + name)
                } else if type == Int32(DT_REG) && name.hasSuffix(".json") {
                    files.append((folderIndex, name))
                }
            }
            for subfolder in subfolders.sorted() { try add(folder: subfolder) }
        }

        func close() {
            for descriptor in descriptors { Glibc.close(descriptor) }
        }
    }
}
