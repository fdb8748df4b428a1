import Crypto
import Foundation
import Logging
import SwiftASN1
import X509

/// The console's data folder: certificates and keys (mode 0600), the SQLite database.
struct DataFolder: Sendable {
    let path: String

    var databasePath: String { path + "/scute.db" }
    var caCertificatePath: String { path + "/ca.pem" }
    var caKeyPath: String { path + "/ca-key.pem" }
    var serverCertificatePath: String { path + "/server.pem" }
    var serverKeyPath: String { path + "/server-key.pem" }

    /// Creates the folder when missing, and makes it 0700 whatever it was: it holds the keys and the database.
    func create() throws(ConsoleError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .setup("cannot create the data folder \(path)")
        }
        try restrict(path, to: 0o700)
        for key in [caKeyPath, serverKeyPath, tokenKeyPath] where FileManager.default.fileExists(atPath: key) {
            try restrict(key, to: 0o600)
        }
    }

    /// Makes the SQLite database and its WAL and shared-memory files 0600, creating an empty database file
    /// first when there is none (SQLite gives the files it creates the database file's mode).
    func secureDatabaseFiles() throws(ConsoleError) {
        if !FileManager.default.fileExists(atPath: databasePath) {
            guard FileManager.default.createFile(atPath: databasePath, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw .setup("cannot create \(databasePath)")
            }
        }
        for file in [databasePath, databasePath + "-wal", databasePath + "-shm"] where FileManager.default.fileExists(atPath: file) {
            try restrict(file, to: 0o600)
        }
    }

    private func restrict(_ file: String, to mode: Int) throws(ConsoleError) {
        do {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
        } catch {
            throw .setup("cannot set the mode of \(file) to \(String(mode, radix: 8))")
        }
    }

    /// Loads the certificates, creating the CA and the server certificate when they are missing. A missing
    /// server certificate alone is issued again from the existing CA (that is how it is rotated).
    func certificates(subjectAlternativeNames: [String], logger: Logger) throws(ConsoleError) -> ConsoleCertificates {
        let fm = FileManager.default
        do {
            if !fm.fileExists(atPath: caCertificatePath) || !fm.fileExists(atPath: caKeyPath) {
                let (certs, caKey) = try ConsoleCertificates.generate(subjectAlternativeNames: subjectAlternativeNames)
                try write(caKey, to: caKeyPath, mode: 0o600)
                try write(certs.caCertificatePEM, to: caCertificatePath, mode: 0o644)
                try write(certs.serverKeyPEM, to: serverKeyPath, mode: 0o600)
                try write(certs.serverCertificatePEM, to: serverCertificatePath, mode: 0o644)
                logger.notice("console.certificates.created", metadata: ["sans": "\(subjectAlternativeNames.joined(separator: ","))"])
                return certs
            }
            let caPEM = try String(contentsOfFile: caCertificatePath, encoding: .utf8)
            if !fm.fileExists(atPath: serverCertificatePath) || !fm.fileExists(atPath: serverKeyPath) {
                let ca = try Certificate(pemEncoded: caPEM)
                let caKey = try P256.Signing.PrivateKey(pemRepresentation: try String(contentsOfFile: caKeyPath, encoding: .utf8))
                let issued = try ConsoleCertificates.issueServerCertificate(
                    caCertificate: ca,
                    caKey: caKey,
                    subjectAlternativeNames: subjectAlternativeNames
                )
                try write(issued.keyPEM, to: serverKeyPath, mode: 0o600)
                try write(issued.certificatePEM, to: serverCertificatePath, mode: 0o644)
                logger.notice("console.certificates.server_issued", metadata: ["sans": "\(subjectAlternativeNames.joined(separator: ","))"])
            }
            return ConsoleCertificates(
                caCertificatePEM: caPEM,
                serverCertificatePEM: try String(contentsOfFile: serverCertificatePath, encoding: .utf8),
                serverKeyPEM: try String(contentsOfFile: serverKeyPath, encoding: .utf8)
            )
        } catch let error as ConsoleError {
            throw error
        } catch {
            logger.error("console.certificates.failed", metadata: ["error": "\(String(describing: error))"])
            throw .setup("cannot create or read the certificates in \(path)")
        }
    }

    private func write(_ text: String, to file: String, mode: Int) throws {
        let temp = file + ".tmp"
        guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw ConsoleError.setup("cannot write \(file)")
        }
        _ = try? FileManager.default.removeItem(atPath: file)
        try FileManager.default.moveItem(atPath: temp, toPath: file)
    }
}

extension DataFolder {
    var tokenKeyPath: String { path + "/token-signing.key" }

    /// The key that signs login and defender tokens (32 random bytes, mode 0600). Replicas share it
    /// (copy the data folder's keys to each); replacing it logs everyone out and invalidates install bundles.
    func tokenSigningKey() throws(ConsoleError) -> [UInt8] {
        if let data = FileManager.default.contents(atPath: tokenKeyPath) {
            guard data.count >= 32 else { throw ConsoleError.setup("\(tokenKeyPath) is shorter than 32 bytes") }
            return Array(data)
        }
        let key = Secrets.bytes(32)
        guard FileManager.default.createFile(atPath: tokenKeyPath, contents: Data(key), attributes: [.posixPermissions: 0o600]) else {
            throw ConsoleError.setup("cannot write \(tokenKeyPath)")
        }
        return key
    }
}
