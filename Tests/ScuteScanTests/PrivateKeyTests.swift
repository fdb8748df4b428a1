import Foundation
import Testing

@testable import ScuteScan

/// Check 425 with keys made by openssl, ssh-keygen and gpg in the test.
@Suite struct PrivateKeyTests {
    let root = TestRoot()

    func scan() throws -> [Finding] {
        try ImageScanner(root: root.path, options: ScanOptions(checks: [.privateKeys])).scan().findings(425)
    }

    func openssl(_ arguments: [String]) throws {
        try #require(which("openssl") != nil, "skipped: openssl is not installed")
        try run("/usr/bin/openssl", arguments)
    }

    @Test func opensslKeysAreFound() throws {
        root.makeFolder("keys")
        let keys = root.path + "/keys/"
        try openssl(["genrsa", "-traditional", "-out", keys + "rsa.pem", "2048"])
        try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keys + "ec.pem"])
        try openssl(["genpkey", "-algorithm", "ed25519", "-out", keys + "pkcs8.pem"])
        try openssl(["pkcs8", "-topk8", "-in", keys + "ec.pem", "-out", keys + "encrypted.pem", "-passout", "pass:secret", "-v2", "aes-256-cbc"])
        try openssl(["req", "-x509", "-key", keys + "ec.pem", "-subj", "/CN=test", "-days", "1", "-out", keys + "cert.pem"])
        try openssl(["pkcs12", "-export", "-in", keys + "cert.pem", "-inkey", keys + "ec.pem", "-out", keys + "store.bin", "-passout", "pass:x"])
        try openssl(["ec", "-in", keys + "ec.pem", "-pubout", "-out", keys + "public.pem"])
        let found = Dictionary(grouping: try scan(), by: { $0.path ?? "" }).mapValues { $0.map { $0.detail ?? "" } }
        #expect(found["/keys/rsa.pem"] == ["RSA PRIVATE KEY"])
        #expect(found["/keys/ec.pem"] == ["EC PRIVATE KEY"])
        #expect(found["/keys/pkcs8.pem"] == ["PRIVATE KEY"])
        #expect(found["/keys/encrypted.pem"] == ["ENCRYPTED PRIVATE KEY"])
        #expect(found["/keys/store.bin"] == ["PKCS#12"])
        #expect(found["/keys/cert.pem"] == nil)
        #expect(found["/keys/public.pem"] == nil)
        #expect(found.count == 5)
    }

    @Test func openSSHKeyIsFound() throws {
        try #require(which("ssh-keygen") != nil, "skipped: ssh-keygen is not installed")
        root.makeFolder("root/.ssh")
        try run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", root.path + "/root/.ssh/id_ed25519"])
        let findings = try scan()
        #expect(findings.map(\.path) == ["/root/.ssh/id_ed25519"])
        #expect(findings.first?.detail == "OPENSSH PRIVATE KEY")
    }

    @Test func pgpPrivateKeyIsFound() throws {
        try #require(which("gpg") != nil, "skipped: gpg is not installed")
        let home = TestRoot()
        let environment = ["GNUPGHOME": home.path]
        try run(
            "/usr/bin/gpg",
            ["--batch", "--passphrase", "", "--quick-gen-key", "test@example.com", "ed25519", "sign", "1d"],
            environment: environment
        )
        let secret = try run("/usr/bin/gpg", ["--batch", "--armor", "--export-secret-keys", "test@example.com"], environment: environment)
        let publicKey = try run("/usr/bin/gpg", ["--batch", "--armor", "--export", "test@example.com"], environment: environment)
        root.write("home/secret.asc", secret)
        root.write("home/public.asc", publicKey)
        let findings = try scan()
        #expect(findings.map(\.path) == ["/home/secret.asc"])
        #expect(findings.first?.detail == "PGP PRIVATE KEY BLOCK")
    }

    @Test func headerAloneIsNotAKey() throws {
        root.write("notes.txt", "To make one, run openssl; the file starts with -----BEGIN RSA PRIVATE KEY----- and so on.\n")
        root.write("src/check.c", "if (strstr(buf, \"-----BEGIN PRIVATE KEY-----\")) return 1;\n-----END PRIVATE KEY-----\n")
        #expect(try scan().isEmpty)
    }

    @Test func crlfKeyAndAKeyAcrossTheReadBuffer() throws {
        try openssl(["genrsa", "-traditional", "-out", root.path + "/rsa.pem", "2048"])
        let key = root.read("rsa.pem")
        root.remove("rsa.pem")
        let crlf = String(decoding: key, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n")
        root.write("windows.key", crlf)
        // The marker straddles the 1 MiB read chunk boundary.
        let markerOffset = Array("-----BEGIN RSA ".utf8).count
        let padding = [UInt8](repeating: 0x20, count: ContentInspector.chunkSize - markerOffset - 5)
        root.write("data/blob.bin", padding + key + [UInt8](repeating: 0x20, count: 1000))
        let paths = try scan().compactMap(\.path).sorted()
        #expect(paths == ["/data/blob.bin", "/windows.key"])
    }

    @Test func puttyKeyIsFound() throws {
        let body = String(repeating: "AAAAB3NzaC1yc2EAAAABJQAAAQEA", count: 4)
        root.write(
            "home/user/key.ppk",
            "PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nComment: test\nPublic-Lines: 1\n\(body)\nPrivate-Lines: 1\n\(body)\nPrivate-MAC: 0123abcd\n"
        )
        #expect(try scan().map(\.detail) == ["PuTTY"])
    }

    @Test func keyInsideAVerifiedPackageFileIsNotAFindingButInAChangedOneIs() throws {
        try openssl(["genrsa", "-traditional", "-out", root.path + "/tmp.pem", "2048"])
        let key = String(decoding: root.read("tmp.pem"), as: UTF8.self)
        root.remove("tmp.pem")
        root.installDpkg([FakeDpkgPackage(name: "libtls-test", files: [("usr/share/libtls-test/testkey.pem", key)])])
        #expect(try scan().isEmpty)
        root.append("usr/share/libtls-test/testkey.pem", [0x0a])
        #expect(try scan().map(\.path) == ["/usr/share/libtls-test/testkey.pem"])
    }
}
