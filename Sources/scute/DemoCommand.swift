import ArgumentParser
import Foundation
import ScuteBundle
import ScuteConsoleAPI
import ScuteCore
import ScuteSidecar

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `scute demo`: a console on its SQLite store, the seed's sample task protected and running under `scute task
/// run`, a sample policy, and violations every 10 seconds, until Ctrl-C stops all of it.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Try Scute on this machine: a console, and a protected sample task that breaks its policy every 10 s.",
        discussion: """
            Starts `scute console` (plain HTTP on 127.0.0.1, SQLite in the data folder), creates the sample rule \
            demo-policy, embeds the documentation's sample Fargate task (it copies /bin/sleep to /tmp/xmrig) with \
            a web shop behind the firewall and a container that breaks the rule every 10 s, and runs it with \
            `scute task run` (root needed) over a busybox-static root when the defender bundle is static, else \
            over the host's root. Prints where to log in. Ctrl-C stops the task, then the console, and leaves \
            nothing running. The admin password is SCUTE_ADMIN_PASSWORD, else one made on the first run and kept \
            in <data>/admin-password.
            """
    )

    @Option(name: .customLong("data"), help: "The demo's folder: the console's data, the task, the logs.")
    var dataFolder = "scute-demo-data"

    @Option(name: .customLong("api-port"), help: "The console's API and web UI port (127.0.0.1).")
    var apiPort = 8083

    @Option(name: .customLong("channel-port"), help: "The console's defender channel port (127.0.0.1).")
    var channelPort = 8084

    @Option(name: .customLong("web-port"), help: "The host port of the sample shop, behind the firewall (127.0.0.1).")
    var webPort = 8080

    @Option(name: .customLong("defender-bundle"), help: "The defender bundle (default: as `scute console` finds it).")
    var defenderBundle: String?

    @Flag(name: .customLong("no-task"), help: "Run the console alone.")
    var noTask = false

    func run() async throws {
        guard let me = FileSystem.currentExecutable() else { throw failure("cannot find this executable (/proc/self/exe)") }
        let data = Self.absolute(dataFolder)
        do {
            try FileSystem.makeDirectories(data)
        } catch {
            throw failure("\(data): \(error)")
        }
        let bundle = ConsoleCommand.bundlePath(option: defenderBundle, environment: ProcessInfo.processInfo.environment)
        let password = try DemoSetup.adminPassword(folder: data)
        let termination = TerminationSignal.install()

        var consoleArguments = [
            me, "console", "--data", data + "/console", "--insecure-http", "--host", "127.0.0.1",
            "--api-port", String(apiPort), "--channel-port", String(channelPort),
        ]
        if let bundle { consoleArguments += ["--defender-bundle", bundle] }
        let console = try ChildProcess.spawn(
            name: "console",
            consoleArguments,
            log: data + "/console.log",
            environment: ["SCUTE_ADMIN_PASSWORD": password.value]
        )
        var task: ChildProcess?
        do {
            let base = "http://127.0.0.1:\(apiPort)"
            let api = try await DemoConsole.connect(base: base, password: password.value, console: console)
            try await api.ensureSamplePolicy(appID: DemoTask.family)
            let channel = "ws://127.0.0.1:\(channelPort)"
            say(
                """

                  Scute console: http://localhost:\(apiPort)/   (plain HTTP on 127.0.0.1: local use only)
                  user: admin   password: \(password.shown)
                  logs: \(data)/console.log\(noTask ? "" : ", \(data)/task.log")

                """
            )
            if !noTask {
                do {
                    task = try await startTask(me: me, data: data, bundle: bundle, api: api, channel: channel)
                } catch {
                    await api.close()
                    throw error
                }
            }
            await api.close()
        } catch {
            task?.stop(SIGINT, grace: 40)
            console.stop(SIGTERM, grace: 15)
            throw error
        }
        say("  Ctrl-C stops the demo.\n")
        while true {
            if let signal = termination.wait(milliseconds: 500) {
                say("\nscute demo: stopping on signal \(signal): the task, then the console...")
                break
            }
            if let status = console.exited() {
                FileIO.printError("error: the console stopped (status \(status)):\n\(console.tail())")
                task?.stop(SIGINT, grace: 40)
                throw ExitCode(1)
            }
            if let task, let status = task.exited() {
                say("scute demo: the task stopped (status \(status)); see \(task.log). The console keeps running.")
                // Only once: the task has been reaped.
                return try await waitForConsoleOnly(console, termination)
            }
        }
        task?.stop(SIGINT, grace: 40)
        console.stop(SIGTERM, grace: 15)
        say("scute demo: stopped.")
    }

    private func waitForConsoleOnly(_ console: ChildProcess, _ termination: TerminationSignal) async throws {
        while termination.wait(milliseconds: 500) == nil {
            if let status = console.exited() {
                FileIO.printError("error: the console stopped (status \(status)):\n\(console.tail())")
                throw ExitCode(1)
            }
        }
        console.stop(SIGTERM, grace: 15)
        say("scute demo: stopped.")
    }

    /// Embeds and starts the sample task; nil (saying why) when this machine cannot run it.
    private func startTask(me: String, data: String, bundle: String?, api: DemoConsole, channel: String) async throws -> ChildProcess? {
        guard geteuid() == 0 else {
            say("  The sample task is not started: `scute task run` needs root (namespaces). Run the demo as root to see it.\n")
            return nil
        }
        guard let bundle else {
            say("  The sample task is not started: no defender bundle (build with scripts/build.sh, or give --defender-bundle).\n")
            return nil
        }
        let folder = data + "/task"
        try? FileSystem.makeDirectories(folder)
        let installBundle = try await api.installBundle(channel: channel)
        let protected = try DemoTask.protected(installBundle: installBundle, channel: channel)
        let taskFile = folder + "/protected-task.json"
        try FileIO.writeText(protected.serialized(.indented("  ")) + "\n", to: taskFile)
        try FileIO.writeText(try DemoTask.definition().serialized(.indented("  ")) + "\n", to: folder + "/task.json")

        var arguments = [
            me, "task", "run", taskFile, "--forward", String(channelPort), "--publish", "\(webPort):\(DemoTask.webPort)",
            "--image-command", "\(DemoTask.sidecarImage)=\(me) sidecar --bundle \(bundle)",
            "--image-file", "\(DemoTask.sidecarImage)=\(me):/usr/local/bin/scute", "--state-dir", folder,
        ]
        var rootNote = "over this machine's root (the defender bundle is not static: build it with scripts/build.sh for a busybox root)"
        if DemoTask.bundleIsStatic(bundle, scratch: folder + "/bundle-check"), let root = DemoTask.busyboxRoot(in: folder) {
            for name in ["Fargate-vul-comp-test", "shop", "traffic"] { arguments += ["--rootfs", "\(name)=\(root)"] }
            rootNote = "over a busybox-static root"
        }
        let task = try ChildProcess.spawn(name: "task", arguments, log: data + "/task.log")
        say("  Sample task: \(folder)/task.json, protected as \(taskFile), running \(rootNote).")
        let defenders = try await api.waitForDefenders(appID: DemoTask.family, count: 3, seconds: 60) { task.exited() != nil }
        if defenders.isEmpty {
            say("  No defender connected within 60 s; see \(task.log).")
        } else {
            let taskID = defenders.first?.taskARN?.split(separator: "/").last.map(String.init) ?? "?"
            say("  Task \(taskID): \(defenders.count) defender(s) connected (\(defenders.compactMap(\.container).sorted().joined(separator: ", "))).")
        }
        say(
            """
              Every 10 s the traffic container runs nc and /tmp/xmrig, connects to an IRC port and sends the shop two attacks:
              see Monitor > Events, Manage > Defenders, Monitor > Compliance (the seed's xmrig), and Defend > Runtime (demo-policy).
              The shop, behind the firewall: http://localhost:\(webPort)/   try http://localhost:\(webPort)/?q=<script>alert(1)</script>

            """
        )
        return task
    }

    /// Writes a line to standard output at once (also into a log or a pipe, where print would buffer it).
    private func say(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            offset += n
        }
    }

    private func failure(_ message: String) -> ExitCode {
        FileIO.printError("error: \(message)")
        return ExitCode(1)
    }

    private static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }
}
