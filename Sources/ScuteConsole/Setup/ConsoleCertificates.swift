import Crypto
import Foundation
import SwiftASN1
import X509

/// The console's own CA and the server certificate it signs for the API and channel ports.
struct ConsoleCertificates: Sendable {
    let caCertificatePEM: String
    let serverCertificatePEM: String
    let serverKeyPEM: String

    /// A new CA (10 years) and a server certificate (2 years) for `subjectAlternativeNames`
    /// (DNS names, IPv4 and IPv6 addresses), both P-256.
    static func generate(subjectAlternativeNames: [String], now: Date = Date()) throws -> (ConsoleCertificates, caKeyPEM: String) {
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName {
            OrganizationName("Scute")
            CommonName("Scute Console CA")
        }
        let ca = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(caKey.publicKey),
            notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(caKey.publicKey))
            },
            issuerPrivateKey: .init(caKey)
        )
        let server = try issueServerCertificate(
            caCertificate: ca,
            caKey: caKey,
            subjectAlternativeNames: subjectAlternativeNames,
            now: now
        )
        return (
            ConsoleCertificates(
                caCertificatePEM: try ca.serializeAsPEM().pemString,
                serverCertificatePEM: server.certificatePEM,
                serverKeyPEM: server.keyPEM
            ),
            caKey.pemRepresentation
        )
    }

    /// A new server certificate from an existing CA (certificate rotation keeps the CA defenders trust).
    static func issueServerCertificate(
        caCertificate: Certificate,
        caKey: P256.Signing.PrivateKey,
        subjectAlternativeNames: [String],
        now: Date = Date()
    ) throws -> (certificatePEM: String, keyPEM: String) {
        let key = P256.Signing.PrivateKey()
        let names = subjectAlternativeNames.isEmpty ? ["localhost"] : subjectAlternativeNames
        let subject = try DistinguishedName {
            OrganizationName("Scute")
            CommonName(names[0])
        }
        let general: [GeneralName] = names.map { name in
            if let bytes = IPLiteral.bytes(name) { return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes))) }
            return .dnsName(name)
        }
        let cert = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-300),
            notValidAfter: now.addingTimeInterval(2 * 365 * 86400),
            issuer: caCertificate.subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(general)
            },
            issuerPrivateKey: .init(caKey)
        )
        return (try cert.serializeAsPEM().pemString, key.pemRepresentation)
    }
}

/// IPv4 and IPv6 literals as bytes, for certificate SANs.
enum IPLiteral {
    static func bytes(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4 {
            let octets = parts.compactMap { UInt8($0) }
            return octets.count == 4 ? octets : nil
        }
        guard text.contains(":") else { return nil }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ s: String) -> [UInt16]? {
            if s.isEmpty { return [] }
            let g = s.split(separator: ":", omittingEmptySubsequences: false).map { UInt16($0, radix: 16) }
            return g.contains(where: { $0 == nil }) ? nil : g.compactMap { $0 }
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }
}

/// Reads back what a server certificate says, for tests and `scute console` diagnostics.
enum X509Probe {
    struct Description {
        var sans: [String]
        var issuedByCA: Bool
    }

    static func describe(server pem: String, ca caPEM: String) throws -> Description {
        let cert = try Certificate(pemEncoded: pem)
        let ca = try Certificate(pemEncoded: caPEM)
        var sans: [String] = []
        if let ext = try cert.extensions.subjectAlternativeNames {
            for name in ext {
                switch name {
                case .dnsName(let d): sans.append(d)
                case .ipAddress(let bytes):
                    let b = Array(bytes.bytes)
                    if b.count == 4 {
                        sans.append(b.map(String.init).joined(separator: "."))
                    } else {
                        sans.append(b.count == 16 && b.dropLast().allSatisfy { $0 == 0 } && b.last == 1 ? "::1" : "ipv6")
                    }
                default: break
                }
            }
        }
        let signed = ca.publicKey.isValidSignature(cert.signature, for: cert)
        return Description(sans: sans, issuedByCA: signed && cert.issuer == ca.subject)
    }
}
