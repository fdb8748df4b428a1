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

@Suite("Where a defender keeps its own state")
struct StateFolderTests {
    private func temporaryFolder() -> String {
        var template = Array("/tmp/scute-state-test-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    @Test func theStateFolderIsPrivateAndAnotherUsersFolderIsNotUsed() throws {
        let folder = temporaryFolder()
        // Planted with access for everyone: the defender takes it back (it owns it).
        mkdir(folder + "/state", 0o777)
        chmod(folder + "/state", 0o777)
        let chosen = StateFolder.choose(preferred: folder, appUser: "nobody")
        #expect(chosen.path == folder + "/state")
        var st = stat()
        #expect(stat(chosen.path, &st) == 0 && st.st_mode & 0o777 == 0o700)
        // A folder owned by another user (what an app could leave there) is refused for a fresh one.
        let other = temporaryFolder()
        mkdir(other + "/state", 0o700)
        chown(other + "/state", 65534, 65534)
        let refused = StateFolder.choose(preferred: other, appUser: "nobody")
        #expect(refused.path != other + "/state")
        #expect(refused.path.hasPrefix("/tmp/scute-state-"))
        // So is a symlink to a folder of the defender's own.
        let linked = temporaryFolder()
        symlink(folder + "/state", linked + "/state")
        #expect(StateFolder.choose(preferred: linked, appUser: "nobody").path != linked + "/state")
    }

    @Test func sharingAUserWithTheAppIsReportedAtStart() throws {
        let folder = temporaryFolder()
        let shared = StateFolder.choose(preferred: folder, appUser: nil)
        let warning = try #require(shared.warning)
        #expect(warning.attackType == .defenderTampering)
        #expect(warning.msg.contains("writable by the app"))
        // Root with another user for the app: nothing to report.
        #expect(StateFolder.choose(preferred: folder, appUser: "nobody").warning == nil)
        #expect(StateFolder.choose(preferred: folder, appUser: "0").warning != nil)
    }
}
