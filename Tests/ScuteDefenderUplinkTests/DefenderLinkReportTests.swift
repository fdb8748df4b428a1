import Glibc
import ScuteCore
import ScuteUplink
import Testing

@testable import ScuteDefender
@testable import ScuteDefenderUplink

@Suite("Reports on the defender's own channel")
struct DefenderLinkReportTests {
    @Test func theLatestReportOfEachKindIsKeptInTheStateFolderForTheConsole() throws {
        var template = Array("/tmp/scute-link-report-XXXXXX".utf8CString)
        let folder = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        let bundle = InstallBundle(consoleAddress: "ws://127.0.0.1:9", caCertificatePEM: "", token: "t")
        let setup = try DefenderLink.setup(
            environment: ["SCUTE_DATA_FOLDER": folder, "SCUTE_INSTALL_BUNDLE": bundle.encoded],
            options: try DefenderOptions.parse(["--", "/bin/true"], environment: ["SCUTE_APP_ID": "shop"])
        )
        let send = try #require(setup.hooks.reports)
        send(DefenderReport(kind: .compliance, json: Array(#"{"root":"/","findings":[],"errors":[]}"#.utf8)))
        send(DefenderReport(kind: .compliance, json: Array(#"{"root":"/second","findings":[],"errors":[]}"#.utf8)))
        send(DefenderReport(kind: .inventory, json: Array(#"{"packages":[],"release":"Debian:12"}"#.utf8)))
        // What a restarted defender's uplink sends once the console answers: the latest of each kind.
        let kept = Uplink.loadCachedReports(dataFolder: folder + "/state")
        #expect(kept["compliance"]?.objectValue?["root"] == "/second")
        #expect(kept["inventory"]?.objectValue?["release"] == "Debian:12")
    }
}
