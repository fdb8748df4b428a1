import NIOSSL
import PostgresNIO

/// A `--database` URL: `postgres://user:password@host:port/database?sslmode=...&sslrootcert=FILE`.
/// `description` never shows the password.
struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// `sslmode`, as libpq names them. Scute verifies the server whenever it uses TLS on purpose:
    /// `require` and `verify-full` check the certificate chain and the host name, `verify-ca` the chain only.
    /// `prefer` (the default) and `allow` fall back to an unencrypted connection when the server offers no
    /// TLS, and the console warns at start; production uses `verify-full`.
    enum TLSMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"

        /// Whether the connection may end up unencrypted.
        var mayBePlaintext: Bool { self == .disable || self == .allow || self == .prefer }
    }

    var host: String
    var port: Int
    var username: String
    var password: String?
    var database: String?
    var tlsMode: TLSMode
    /// `sslrootcert`: a PEM file of CA certificates to trust instead of the system's (e.g. the RDS bundle).
    var rootCertificatePath: String?

    var description: String {
        "postgres://\(username)@\(host):\(port)/\(database ?? "")?sslmode=\(tlsMode.rawValue)"
            + (rootCertificatePath.map { "&sslrootcert=\($0)" } ?? "")
    }

    /// The message of a failure never repeats the password.
    init(_ text: String) throws(StoreError) {
        let rest0: Substring
        if text.hasPrefix("postgres://") {
            rest0 = text.dropFirst("postgres://".count)
        } else if text.hasPrefix("postgresql://") {
            rest0 = text.dropFirst("postgresql://".count)
        } else {
            throw StoreError.invalid("--database: the scheme must be postgres:// or postgresql://")
        }
        var rest = rest0
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        database = nil
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            database = db.isEmpty ? nil : Self.percentDecoded(db)
            rest = rest[..<slash]
        }
        username = "postgres"
        password = nil
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let c = credentials.firstIndex(of: ":") {
                username = Self.percentDecoded(credentials[..<c])
                password = Self.percentDecoded(credentials[credentials.index(after: c)...])
            } else {
                username = Self.percentDecoded(credentials)
            }
        }
        host = String(rest)
        port = 5432
        if let c = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let p = Int(rest[rest.index(after: c)...]), (1...65535).contains(p) else {
                throw StoreError.invalid("--database: the port must be a number from 1 to 65535")
            }
            port = p
            host = String(rest[..<c])
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw StoreError.invalid("--database: the host is missing") }
        tlsMode = .prefer
        rootCertificatePath = nil
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            switch kv[0] {
            case "sslmode":
                guard let mode = TLSMode(rawValue: String(kv[1])) else {
                    throw StoreError.invalid("--database: sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tlsMode = mode
            case "sslrootcert":
                rootCertificatePath = Self.percentDecoded(kv[1])
            default:
                continue
            }
        }
        if rootCertificatePath != nil, tlsMode == .disable {
            throw StoreError.invalid("--database: sslrootcert needs an sslmode that uses TLS")
        }
    }

    /// The TLS client configuration for this URL (nil for `disable`): TLS 1.2 or later, the server's
    /// certificate checked against `sslrootcert` or the system's trust roots.
    func tlsConfiguration() throws(StoreError) -> TLSConfiguration? {
        guard tlsMode != .disable else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = tlsMode == .verifyCA ? .noHostnameVerification : .fullVerification
        if let rootCertificatePath {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(rootCertificatePath))
            } catch {
                throw StoreError.invalid("--database: sslrootcert \(rootCertificatePath) is not a readable PEM certificate file")
            }
        }
        return tls
    }

    /// The postgres-nio client configuration.
    func clientConfiguration(searchPath: String? = nil) throws(StoreError) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch (tlsMode, try tlsConfiguration()) {
        case (_, nil): tls = .disable
        case (.allow, let c?), (.prefer, let c?): tls = .prefer(c)
        case (_, let c?): tls = .require(c)
        }
        var config = PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        if let searchPath { config.options.additionalStartupParameters = [("search_path", searchPath)] }
        return config
    }

    private static func percentDecoded(_ s: Substring) -> String {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%"), bytes.count >= 2,
                let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16)
            {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The parts of a parsed `--database` URL, for tests and diagnostics (no password in `description`).
struct PostgresClientConfigurationProbe {
    let host: String?
    let port: Int?
    let username: String
    let password: String?
    let database: String?

    static func parse(_ url: String) throws(StoreError) -> PostgresClientConfigurationProbe {
        let c = try PostgresURL(url).clientConfiguration()
        return PostgresClientConfigurationProbe(host: c.host, port: c.port, username: c.username, password: c.password, database: c.database)
    }
}
