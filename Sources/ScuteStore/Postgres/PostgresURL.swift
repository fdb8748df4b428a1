import NIOSSL
import PostgresNIO

extension PostgresClient.Configuration {
    /// Reads `postgres://user:password@host:port/database?sslmode=disable|prefer|require`.
    /// The message of a failure never repeats the password.
    static func parse(url text: String, searchPath: String? = nil) throws(StoreError) -> PostgresClient.Configuration {
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
        var database: String?
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            database = db.isEmpty ? nil : percentDecoded(db)
            rest = rest[..<slash]
        }
        var user = "postgres"
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let c = credentials.firstIndex(of: ":") {
                user = percentDecoded(credentials[..<c])
                password = percentDecoded(credentials[credentials.index(after: c)...])
            } else {
                user = percentDecoded(credentials)
            }
        }
        var host = String(rest)
        var port = 5432
        if let c = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let p = Int(rest[rest.index(after: c)...]), (1...65535).contains(p) else {
                throw StoreError.invalid("--database: the port must be a number from 1 to 65535")
            }
            port = p
            host = String(rest[..<c])
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw StoreError.invalid("--database: the host is missing") }
        var tls = PostgresClient.Configuration.TLS.prefer(.makeClientConfiguration())
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0] == "sslmode" else { continue }
            switch kv[1] {
            case "disable": tls = .disable
            case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
            case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
            default: throw StoreError.invalid("--database: sslmode must be disable, prefer or require")
            }
        }
        var config = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
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
        let c = try PostgresClient.Configuration.parse(url: url)
        return PostgresClientConfigurationProbe(host: c.host, port: c.port, username: c.username, password: c.password, database: c.database)
    }
}
