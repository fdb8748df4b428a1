import CScuteTask

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension TaskRunner {
    private enum Source {
        case stop
        case stream(Int)
        case container(Int)
        case check(Int)
    }

    var now: Duration { clock.now - startedAt }

    /// Acts on the state machine's answers and waits for the next event, until the task has stopped.
    func loop() throws(TaskError) -> Int32 {
        while true {
            let actions = machine.advance(at: now)
            for action in actions {
                if case .finish(let status) = action {
                    drainStreams()
                    state.update {
                        $0.desiredStatus = "STOPPED"
                        $0.knownStatus = "STOPPED"
                    }
                    output.event("task stopped (\(machine.stopReason ?? "done")): exit status \(status)")
                    return status
                }
                perform(action)
            }
            syncHealth()
            // A container just started may be what another one waits for (START): look again before waiting.
            if actions.contains(where: { if case .start = $0 { return true } else { return false } }) { continue }
            try waitForEvents()
        }
    }

    private func perform(_ action: TaskStateMachine.Action) {
        switch action {
        case .start(let index):
            startContainer(index)
        case .runHealthCheck(let index):
            runHealthCheck(index)
        case .cancelHealthCheck(let index):
            if let check = checks[index] { _ = scute_task_signal(check.pidFD, SIGKILL) }
        case .terminate(let index):
            state.update { $0.containers[index].desiredStatus = "STOPPED" }
            if let container = running[index], !container.exited { _ = scute_task_signal(container.process.pidFD, SIGTERM) }
        case .kill(let index):
            if let container = running[index], !container.exited { _ = scute_task_signal(container.process.pidFD, SIGKILL) }
        case .report(let message):
            output.event(message)
        case .finish:
            break
        }
    }

    private func startContainer(_ index: Int) {
        let launch = plan.containers[index]
        guard let network else { return }
        var pipes: [(read: Int32, write: Int32)] = []
        do {
            pipes.append(try System.pipe())
            pipes.append(try System.pipe())
            let process = try ContainerSpawner.spawnContainer(
                launch,
                staging: containerFolder(index),
                network: network,
                stdout: pipes[0].write,
                stderr: pipes[1].write
            )
            for pipe in pipes { close(pipe.write) }
            running[index] = Running(process: process)
            streams.append((index, .stdout, Stream(fd: pipes[0].read)))
            streams.append((index, .stderr, Stream(fd: pipes[1].read)))
            machine.started(index, at: now)
            let time = System.timestamp()
            state.update {
                $0.containers[index].knownStatus = "RUNNING"
                $0.containers[index].startedAt = time
                $0.containers[index].pid = process.pid
            }
            output.event("container \(launch.name) started: \(launch.argv.joined(separator: " "))")
        } catch {
            for pipe in pipes {
                close(pipe.read)
                close(pipe.write)
            }
            output.event("container \(launch.name) could not start: \(error.message)")
            machine.exited(index, status: TaskStateMachine.notStartedStatus, at: now)
        }
    }

    private func runHealthCheck(_ index: Int) {
        let launch = plan.containers[index]
        guard let container = running[index], !container.exited, let argv = launch.healthCheckArgv else {
            machine.healthCheckFinished(index, passed: false, at: now)
            return
        }
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { close(null) }
        do {
            checks[index] = try ContainerSpawner.spawnInside(launch, argv: argv, containerPidFD: container.process.pidFD, output: null)
        } catch {
            machine.healthCheckFinished(index, passed: false, at: now)
        }
    }

    private func syncHealth() {
        let time = System.timestamp()
        state.update { status in
            for index in status.containers.indices where status.containers[index].health != nil {
                let health = machine.health(index).rawValue
                if status.containers[index].health != health {
                    status.containers[index].health = health
                    status.containers[index].healthSince = time
                }
            }
        }
    }

    private func waitForEvents() throws(TaskError) {
        var fds = [pollfd(fd: stopSignal.readFD, events: Int16(POLLIN), revents: 0)]
        var sources: [Source] = [.stop]
        for (position, entry) in streams.enumerated() where entry.state.fd >= 0 {
            fds.append(pollfd(fd: entry.state.fd, events: Int16(POLLIN), revents: 0))
            sources.append(.stream(position))
        }
        for (index, container) in running where !container.exited {
            fds.append(pollfd(fd: container.process.pidFD, events: Int16(POLLIN), revents: 0))
            sources.append(.container(index))
        }
        for (index, check) in checks {
            fds.append(pollfd(fd: check.pidFD, events: Int16(POLLIN), revents: 0))
            sources.append(.check(index))
        }
        var timeout: Int32 = -1
        if let deadline = machine.nextDeadline() {
            let remaining = deadline - now
            let milliseconds = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1
            timeout = Int32(clamping: max(0, min(milliseconds, 60_000)))
        }
        let count = poll(&fds, nfds_t(fds.count), timeout)
        if count < 0 {
            if errno == EINTR { return }
            throw .system("poll", errno: errno)
        }
        for (position, fd) in fds.enumerated() where fd.revents != 0 {
            switch sources[position] {
            case .stop: handleStopRequests()
            case .stream(let index): readStream(index)
            case .container(let index): reapContainer(index)
            case .check(let index): reapHealthCheck(index)
            }
        }
        streams.removeAll { $0.state.fd < 0 }
    }

    private func handleStopRequests() {
        for request in stopSignal.drain() {
            stopRequests += 1
            if stopRequests == 1 {
                machine.requestStop(reason: request == 0 ? "stop requested" : "received signal \(request)")
            } else if stopRequests == 2 {
                output.event("second stop request: killing every container")
                for (_, container) in running where !container.exited { _ = scute_task_signal(container.process.pidFD, SIGKILL) }
            }
        }
    }

    /// Reads what is there; at the end of the stream, the unterminated last line.
    private func readStream(_ position: Int) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let fd = streams[position].state.fd
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
        let name = plan.containers[streams[position].container].name
        let stream = streams[position].stream
        if n > 0 {
            for line in streams[position].state.buffer.append(buffer[0..<n]) {
                output.line(container: name, stream: stream, text: String(decoding: line, as: UTF8.self))
            }
            return
        }
        if let last = streams[position].state.buffer.finish() {
            output.line(container: name, stream: stream, text: String(decoding: last, as: UTF8.self))
        }
        close(fd)
        streams[position].state.fd = -1
    }

    private func reapContainer(_ index: Int) {
        guard let container = running[index] else { return }
        var status = scute_task_reap(container.process.pidFD)
        if status < 0 { return }
        let launch = plan.containers[index]
        if let failure = ContainerSpawner.failure(of: container.process, argv0: launch.argv[0]) {
            output.event("container \(launch.name) could not start: \(failure.message)")
            status = failure.status
        }
        running[index]?.exited = true
        machine.exited(index, status: status, at: now)
        let time = System.timestamp()
        state.update {
            $0.containers[index].knownStatus = "STOPPED"
            $0.containers[index].desiredStatus = "STOPPED"
            $0.containers[index].exitCode = status
            $0.containers[index].finishedAt = time
            $0.containers[index].pid = nil
        }
    }

    private func reapHealthCheck(_ index: Int) {
        guard let check = checks[index] else { return }
        let status = scute_task_reap(check.pidFD)
        if status < 0 { return }
        check.closeDescriptors()
        checks[index] = nil
        machine.healthCheckFinished(index, passed: status == 0, at: now)
    }

    /// After the last container exited: the output still in the pipes (every writer is gone, so each read
    /// ends at once), bounded in case a descriptor leaked somewhere.
    private func drainStreams() {
        let deadline = clock.now + .seconds(2)
        while !streams.isEmpty && clock.now < deadline {
            var fds = streams.map { pollfd(fd: $0.state.fd, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), 200) <= 0 { continue }
            for (position, fd) in fds.enumerated() where fd.revents != 0 { readStream(position) }
            streams.removeAll { $0.state.fd < 0 }
        }
    }

    /// Waits (bounded) for a process that was sent SIGKILL, and reaps it.
    func waitForExit(_ process: SpawnedProcess) {
        var fd = pollfd(fd: process.pidFD, events: Int16(POLLIN), revents: 0)
        _ = poll(&fd, 1, 5000)
        _ = scute_task_reap(process.pidFD)
    }
}
