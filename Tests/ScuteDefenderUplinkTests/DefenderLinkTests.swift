import Glibc
import ScuteCore
import ScuteDefender
import ScuteUplink
import Testing

@testable import ScuteDefenderUplink

@Suite("How a defender reaches the console")
struct DefenderLinkTests {
    private func options() throws -> DefenderOptions {
        try DefenderOptions.parse(["--", "/bin/true"], environment: ["SCUTE_APP_ID": "shop"])
    }

    private func temporaryFolder() -> String {
        var template = Array("/tmp/scute-link-test-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    @Test func withNeitherSocketNorBundleThereIsNoLink() throws {
        let folder = temporaryFolder()
        let setup = try DefenderLink.setup(environment: ["SCUTE_DATA_FOLDER": folder], options: options())
        #expect(setup.kind == "none")
    }

    @Test func anInstallBundleMeansItsOwnChannelWithStateInTheDataFolder() throws {
        let folder = temporaryFolder()
        let bundle = InstallBundle(consoleAddress: "ws://127.0.0.1:9", caCertificatePEM: "", token: "t")
        let setup = try DefenderLink.setup(
            environment: ["SCUTE_DATA_FOLDER": folder, "SCUTE_INSTALL_BUNDLE": bundle.encoded],
            options: options()
        )
        #expect(setup.kind == "console")
        // The identity is created once and kept.
        var st = stat()
        #expect(stat(folder + "/state/defender-id", &st) == 0)
        #expect(stat(folder + "/state/spool", &st) == 0 && st.st_mode & S_IFMT == S_IFDIR)
    }

    @Test func aRelaySocketWinsOverTheBundle() throws {
        let folder = temporaryFolder()
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = folder + "/" + LocalMessage.socketName
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        let bundle = InstallBundle(consoleAddress: "ws://127.0.0.1:9", caCertificatePEM: "", token: "t")
        let setup = try DefenderLink.setup(
            environment: ["SCUTE_DATA_FOLDER": folder, "SCUTE_INSTALL_BUNDLE": bundle.encoded],
            options: options()
        )
        #expect(setup.kind == "sidecar")
    }

    @Test func aBundleThatDoesNotDecodeIsAnErrorNamingTheVariable() throws {
        let folder = temporaryFolder()
        #expect {
            _ = try DefenderLink.setup(environment: ["SCUTE_DATA_FOLDER": folder, "SCUTE_INSTALL_BUNDLE": "%%%"], options: options())
        } throws: { error in
            "\(error)".contains("SCUTE_INSTALL_BUNDLE: install bundle: not base64")
        }
        let encoded = InstallBundle(consoleAddress: "ws://127.0.0.1:9", caCertificatePEM: "", token: "").encoded
        #expect {
            _ = try DefenderLink.setup(environment: ["SCUTE_DATA_FOLDER": folder, "SCUTE_INSTALL_BUNDLE": encoded], options: options())
        } throws: { error in
            "\(error)".contains("install bundle.token: missing")
        }
    }
}
