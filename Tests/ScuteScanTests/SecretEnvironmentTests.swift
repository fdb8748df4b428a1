import Foundation
import Testing

@testable import ScuteScan

/// Check 424.
@Suite struct SecretEnvironmentTests {
    static let flagged: [(String, String, String)] = [
        ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws-secret-access-key"),
        ("DB_PASSWORD", "hunter22", "name"),
        ("SOME_ID", "AKIAIOSFODNN7EXAMPLE", "aws-access-key-id"),
        ("CI_HELPER", "ghp_" + String(repeating: "a1B2", count: 9), "github-token"),
        ("GITLAB", "glpat-abcdefghij0123456789", "gitlab-token"),
        ("NOTIFY", "xoxb-123456789012-abcdefABCDEF", "slack-token"),
        ("PAYMENTS", "sk_live_" + String(repeating: "x9", count: 12), "stripe-key"),
        ("SESSION", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "jwt"),
        ("DATABASE_URL", "postgres://app:s3cret@db.internal:5432/app", "url-password"),
        ("TLS", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE...\n-----END EC PRIVATE KEY-----", "private-key"),
        ("apikey", "abc123", "name"),
        ("MY_AUTH_TOKEN", "abc123", "name"),
    ]

    static let notFlagged: [(String, String)] = [
        ("GPG_KEY", "A035C8C19219BA821ECEA86B64E628F8D684696D"),
        ("GPG_KEYS", "B42F6819007F00F88E364FD4036A9C25BF357DD4 7953 AC1F BC3D C8B3 B292  393E D5E9 E43F 7DF9 EE8C"),
        ("POSTGRES_PASSWORD_FILE", "/run/secrets/db"),
        ("PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----"),
        ("PASSWORD", ""),
        ("KEY_VERSION", "3"),
        ("DATABASE_URL", "postgres://db.internal:5432/app"),
        ("AUTHOR", "Jane"),
        ("MONKEY", "banana"),
        ("SSL_KEY_PATH", "/etc/ssl/private/key.pem"),
        ("ENABLE_AUTH", "true"),
        ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"),
        ("GIT_COMMIT", "3f786850e387550fdab836ed7e6dc881de23001b"),
    ]

    @Test(arguments: 0..<flagged.count)
    func flaggedVariables(index: Int) throws {
        let (name, value, kind) = Self.flagged[index]
        let findings = SecretEnvironmentCheck.findings([EnvironmentVariable(name: name, value: value)])
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.check == 424)
        #expect(finding.variable == name)
        #expect(finding.kind == kind)
        let json = String(decoding: try JSONEncoder().encode(finding), as: UTF8.self)
        #expect(!json.contains(value), "a finding must never hold the value")
    }

    @Test(arguments: 0..<notFlagged.count)
    func publicAndPointerVariables(index: Int) {
        let (name, value) = Self.notFlagged[index]
        #expect(SecretEnvironmentCheck.findings([EnvironmentVariable(name: name, value: value)]).isEmpty)
    }

    @Test func envFileAndProcEnviron() throws {
        let parsed = EnvironmentVariable.parseEnvFile("# comment\nDB_PASSWORD=\"hunter22\"\nexport API_TOKEN=abc\n\nNOVALUE\nEMPTY=\n")
        #expect(
            parsed == [
                EnvironmentVariable(name: "DB_PASSWORD", value: "hunter22"), EnvironmentVariable(name: "API_TOKEN", value: "abc"),
                EnvironmentVariable(name: "EMPTY", value: ""),
            ]
        )
        let environ = EnvironmentVariable.parseEnviron(Array("A=1\u{0}B=x=y\u{0}".utf8))
        #expect(environ == [EnvironmentVariable(name: "A", value: "1"), EnvironmentVariable(name: "B", value: "x=y")])
        let mine = try EnvironmentVariable.read(pid: getpid())
        #expect(mine.contains { $0.name == "PATH" })
    }

    @Test func scanRunsTheCheckOnlyWithAnEnvironment() throws {
        let root = TestRoot()
        let environment = [EnvironmentVariable(name: "DB_PASSWORD", value: "hunter22"), EnvironmentVariable(name: "PUBLIC_KEY", value: "x")]
        #expect(try ImageScanner(root: root.path).scan().findings.isEmpty)
        let report = try ImageScanner(root: root.path, options: ScanOptions(environment: environment)).scan()
        #expect(report.findings.map(\.variable) == ["DB_PASSWORD"])
        #expect(report.exitCode == 1)
    }
}
