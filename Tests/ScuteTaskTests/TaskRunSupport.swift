import ScuteTask
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Real tasks for the tests: a busybox-only root made in a temporary folder, and a run that collects the
/// output. Needs root (namespaces and mounts) and Debian's busybox-static.
enum TaskRunSupport {
    static let isRoot = geteuid() == 0
    static let busybox: String? = ["/bin/busybox", "/usr/bin/busybox"].first { (path: String) in access(path, X_OK) == 0 }
    static let canRun = isRoot && busybox != nil

    /// A root holding only a static busybox and its applet links, an /etc/passwd with root and an `app`
    /// user, and /tmp.
    static func makeBusyboxRoot() throws -> String {
        var template = Array("/tmp/scute-task-test-root-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let root = String(cString: try #require(made))
        for folder in ["bin", "etc", "tmp", "proc", "sys", "dev"] { mkdir("\(root)/\(folder)", 0o755) }
        chmod("\(root)/tmp", 0o1777)
        try copy(try #require(busybox), to: "\(root)/bin/busybox", mode: 0o755)
        let applets = ["sh", "echo", "cat", "ls", "id", "hostname", "wget", "sleep", "test", "touch", "env", "pwd", "grep", "rm", "kill"]
        for applet in applets { symlink("busybox", "\(root)/bin/\(applet)") }
        try write("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n", to: "\(root)/etc/passwd")
        try write("root:x:0:\napp:x:1000:\n", to: "\(root)/etc/group")
        return root
    }

    static func removeRoot(_ root: String) {
        for applet in (try? listing("\(root)/bin")) ?? [] { unlink("\(root)/bin/\(applet)") }
        for file in ["etc/passwd", "etc/group"] { unlink("\(root)/\(file)") }
        for folder in ["bin", "etc", "tmp", "proc", "sys", "dev"] { rmdir("\(root)/\(folder)") }
        rmdir(root)
    }

    /// Runs `json` with every container on a fresh busybox root; `configure` adds options.
    static func run(
        _ json: String,
        stop: TaskStopSignal = TaskStopSignal(),
        configure: (inout TaskRunConfiguration) -> Void = { _ in }
    ) throws -> (status: Int32, output: CollectingTaskOutput, plan: TaskPlan) {
        let root = try makeBusyboxRoot()
        defer { removeRoot(root) }
        let definition = try TaskDefinition.parse(json)
        var configuration = TaskRunConfiguration()
        for container in definition.containers { configuration.roots[container.name] = root }
        configure(&configuration)
        let plan = try TaskRunner.plan(definition: definition, configuration: configuration)
        let output = CollectingTaskOutput()
        let status = try TaskRunner(plan: plan, output: output, stopSignal: stop).run()
        return (status, output, plan)
    }

    static func write(_ text: String, to path: String) throws {
        let file = try #require(fopen(path, "w"))
        fputs(text, file)
        fclose(file)
    }

    private static func copy(_ source: String, to target: String, mode: mode_t) throws {
        let input = open(source, O_RDONLY)
        let output = open(target, O_WRONLY | O_CREAT | O_TRUNC, mode)
        defer {
            close(input)
            close(output)
        }
        try #require(input >= 0 && output >= 0)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            _ = buffer.withUnsafeBytes { Glibc.write(output, $0.baseAddress, n) }
        }
    }

    static func listing(_ folder: String) throws -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}
