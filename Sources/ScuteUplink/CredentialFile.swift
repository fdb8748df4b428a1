import Glibc
import ScuteCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The defender's own channel credential in its data folder (`credential`, mode 0600): issued by the console
/// when the defender enrolled with the install bundle, presented on every later connection.
struct CredentialFile {
    let path: String

    init(dataFolder: String) { path = dataFolder + "/credential" }

    func load() -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).strippingWhitespace()
        return text.isEmpty ? nil : text
    }

    /// Writes the credential to a temporary file (0600), flushes it and renames it into place.
    func save(_ credential: String) throws {
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ChannelProtocolError("credential: cannot create \(temp) (errno \(errno))") }
        let bytes = Array((credential + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == bytes.count, rename(temp, path) == 0 else {
            unlink(temp)
            throw ChannelProtocolError("credential: cannot write \(path) (errno \(errno))")
        }
    }

    func remove() { unlink(path) }
}
