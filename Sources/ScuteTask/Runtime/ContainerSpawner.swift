import CScuteTask

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A process started by the task: its PID, pidfd (for polling and signals) and the read end of the pipe
/// on which a failed start is reported.
struct SpawnedProcess {
    var pid: pid_t
    var pidFD: Int32
    var errorFD: Int32

    func closeDescriptors() {
        close(pidFD)
        close(errorFD)
    }
}

/// Why a start failed, as reported by the child, and the status the container gets for it.
struct StartFailure: Equatable {
    var message: String
    var status: Int32
}

/// Starts containers and health checks through the C shim.
enum ContainerSpawner {
    /// Starts a container: PID 1 of its own PID namespace, on an overlay of its root under `staging`.
    static func spawnContainer(
        _ launch: ContainerLaunch,
        staging: String,
        network: TaskNetwork,
        stdout: Int32,
        stderr: Int32
    ) throws(TaskError) -> SpawnedProcess {
        let pool = CStringPool()
        let mounts = launch.mounts.map { mount in
            scute_task_mount(
                source: pool.make(mount.source),
                target: pool.make(mount.target),
                is_file: mount.isFile ? 1 : 0,
                read_only: mount.readOnly ? 1 : 0
            )
        }
        return try spawn(launch, pool: pool, stdout: stdout, stderr: stderr) { process, pidFD in
            mounts.withUnsafeBufferPointer { buffer in
                var container = scute_task_container(
                    staging: pool.make(staging),
                    lower: pool.make(launch.root),
                    net_fd: network.netFD,
                    uts_fd: network.utsFD,
                    tmpfs_tmp: launch.root == "/" ? 0 : 1,
                    read_only_root: launch.readOnlyRoot ? 1 : 0,
                    mounts: buffer.baseAddress,
                    mount_count: Int32(buffer.count),
                    process: process
                )
                return scute_task_spawn_container(&container, &pidFD)
            }
        }
    }

    /// Runs `argv` inside the running container whose PID 1 is behind `containerPidFD`, as its user, with
    /// its environment and working directory (a health check). Output goes to `output`.
    static func spawnInside(_ launch: ContainerLaunch, argv: [String], containerPidFD: Int32, output: Int32) throws(TaskError) -> SpawnedProcess {
        var inside = launch
        inside.argv = argv
        return try spawn(inside, pool: CStringPool(), stdout: output, stderr: output) { process, pidFD in
            withUnsafePointer(to: process) { scute_task_spawn_in(containerPidFD, $0, &pidFD) }
        }
    }

    private static func spawn(
        _ launch: ContainerLaunch,
        pool: CStringPool,
        stdout: Int32,
        stderr: Int32,
        _ start: (scute_task_process, inout Int32) -> pid_t
    ) throws(TaskError) -> SpawnedProcess {
        let errorPipe = try System.pipe()
        defer { close(errorPipe.write) }
        let argv = CStringArray(launch.argv)
        let envp = CStringArray(launch.environment)
        let searchPath = launch.searchPath.map { pool.make($0) }
        var pidFD: Int32 = -1
        let pid = launch.credentials.groups.withUnsafeBufferPointer { groups in
            let process = scute_task_process(
                argv: argv.pointer,
                envp: envp.pointer,
                search_path: searchPath,
                working_directory: pool.make(launch.workingDirectory),
                uid: launch.credentials.uid,
                gid: launch.credentials.gid,
                groups: groups.baseAddress,
                group_count: Int32(groups.count),
                capabilities: launch.capabilities,
                stdout_fd: stdout,
                stderr_fd: stderr,
                error_fd: errorPipe.write
            )
            return start(process, &pidFD)
        }
        guard pid > 0 else {
            let code = errno
            close(errorPipe.read)
            throw .system("could not start \(launch.name)", errno: code)
        }
        return SpawnedProcess(pid: pid, pidFD: pidFD, errorFD: errorPipe.read)
    }

    /// The failure the child reported before exiting, if it did not get as far as its program.
    static func failure(of process: SpawnedProcess, argv0: String) -> StartFailure? {
        var report = scute_task_failure()
        let n = withUnsafeMutableBytes(of: &report) { read(process.errorFD, $0.baseAddress, $0.count) }
        guard n == MemoryLayout<scute_task_failure>.size else { return nil }
        let path = withUnsafeBytes(of: report.path) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let reason = String(cString: strerror(report.error))
        if report.stage == SCUTE_TASK_STAGE_EXEC {
            let missing = report.error == ENOENT
            let detail = missing ? "executable file not found in $PATH or the root" : reason
            return StartFailure(message: "exec \(path.isEmpty ? argv0 : path): \(detail)", status: missing ? 127 : 126)
        }
        let stages: [Int32: String] = [
            SCUTE_TASK_STAGE_NAMESPACES: "entering the task's namespaces", SCUTE_TASK_STAGE_ROOT: "making the root",
            SCUTE_TASK_STAGE_PIVOT: "switching to the root", SCUTE_TASK_STAGE_SYSTEM_MOUNTS: "mounting",
            SCUTE_TASK_STAGE_MOUNT: "mounting", SCUTE_TASK_STAGE_CREDENTIALS: "setting the user",
            SCUTE_TASK_STAGE_WORKDIR: "changing to the working directory",
        ]
        let stage = stages[report.stage] ?? "starting"
        return StartFailure(message: "\(stage) \(path): \(reason)", status: 127)
    }
}
