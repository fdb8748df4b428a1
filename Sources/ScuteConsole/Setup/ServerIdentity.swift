import Crypto
import Foundation
import Logging
import NIOCore
import NIOSSL
import SwiftASN1
import Synchronization
import X509

/// The server certificate the API and channel ports present, replaced while they run: adding a subject
/// alternative name issues a new one from the console's CA, and the next TLS handshake on either port uses it
/// (`contextCallback`), with no restart. Names added this way are kept in the data folder
/// (`subject-alternative-names.txt`, one a line) and added to `--san` on the next start.
final class ServerIdentity: Sendable {
    private struct State {
        var names: [String]
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
    }

    private let state: Mutex<State>
    private let folder: DataFolder

    init(folder: DataFolder, names: [String], certificates: ConsoleCertificates) throws {
        self.folder = folder
        let (chain, key) = try Self.load(certificates.serverCertificatePEM, certificates.serverKeyPEM, ca: certificates.caCertificatePEM)
        state = Mutex(State(names: names.isEmpty ? ["localhost"] : names, chain: chain, key: key))
    }

    /// The names in the certificate now presented, `--san` first.
    var subjectAlternativeNames: [String] { state.withLock { $0.names } }

    /// The names added at run time, from the data folder.
    static func addedNames(in folder: DataFolder) -> [String] {
        guard let text = try? String(contentsOfFile: folder.path + "/subject-alternative-names.txt", encoding: .utf8) else { return [] }
        return text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
    }

    /// Why `name` cannot be a subject alternative name, or nil: an IPv4 or IPv6 address, or a DNS name.
    static func problem(with name: String) -> String? {
        if IPLiteral.bytes(name) != nil { return nil }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            name.utf8.count <= 253 && !labels.isEmpty
            && labels.allSatisfy { label in
                (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                    && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
            }
        return valid ? nil : "expected a DNS name (letters, digits and '-' in dot-separated labels) or an IP address"
    }

    /// Issues a server certificate that also names `name`, keeps it, and presents it from the next handshake on.
    /// Returns false when the certificate names it already.
    func add(_ name: String, logger: Logger) throws -> Bool {
        let current = subjectAlternativeNames
        guard !current.contains(name) else { return false }
        let names = current + [name]
        let caPEM = try String(contentsOfFile: folder.caCertificatePath, encoding: .utf8)
        let ca = try Certificate(pemEncoded: caPEM)
        let caKey = try P256.Signing.PrivateKey(pemRepresentation: try String(contentsOfFile: folder.caKeyPath, encoding: .utf8))
        let issued = try ConsoleCertificates.issueServerCertificate(caCertificate: ca, caKey: caKey, subjectAlternativeNames: names)
        let (chain, key) = try Self.load(issued.certificatePEM, issued.keyPEM, ca: caPEM)
        try Self.write(issued.keyPEM, to: folder.serverKeyPath, mode: 0o600)
        try Self.write(issued.certificatePEM, to: folder.serverCertificatePath, mode: 0o644)
        let added = Self.addedNames(in: folder) + [name]
        try Self.write(added.joined(separator: "\n") + "\n", to: folder.path + "/subject-alternative-names.txt", mode: 0o644)
        state.withLock { $0 = State(names: names, chain: chain, key: key) }
        logger.notice("console.certificates.server_reissued", metadata: ["san.added": "\(name)"])
        return true
    }

    /// Hands each TLS handshake the certificate of the moment.
    var contextCallback: NIOSSLContextCallback {
        { [self] _, promise in
            let (chain, key) = self.state.withLock { ($0.chain, $0.key) }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = chain.map { .certificate($0) }
            override.privateKey = .privateKey(key)
            promise.succeed(override)
        }
    }

    private static func load(_ certificatePEM: String, _ keyPEM: String, ca caPEM: String) throws -> ([NIOSSLCertificate], NIOSSLPrivateKey) {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array((certificatePEM + "\n" + caPEM + "\n").utf8))
        return (chain, try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem))
    }

    /// Writes through a temporary file and a rename, so a reader never sees half a certificate.
    private static func write(_ text: String, to file: String, mode: Int) throws {
        let temporary = file + ".new"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw ConsoleError.setup("cannot write \(temporary)")
        }
        guard rename(temporary, file) == 0 else { throw ConsoleError.setup("cannot replace \(file)") }
    }
}
