import CScuteSys
import Glibc
import ScuteCore
import Synchronization

/// The static defender's link to the task's sidecar: a unix socket in the shared volume, newline-delimited
/// ``LocalMessage``s. One thread connects (with backoff), says hello, applies every policy the sidecar
/// pushes, and sends audits in numbered batches that stay in memory (bounded) until the sidecar acknowledges
/// them; unacknowledged batches go again after a reconnect (the console de-duplicates by event ID).
package final class LocalLink: Sendable {
    /// Settings of the link.
    package struct Configuration: Sendable {
        package var socketPath: String
        /// The hello payload (the console channel's: defenderID, appID, taskFamily, ...).
        package var hello: JSONObject
        /// The most audits kept while the sidecar is away; past it the oldest are dropped.
        package var maxEvents = 10_000
        package var batchSize = 500
        /// First wait before reconnecting, in milliseconds; doubles up to `maxBackoff`.
        package var backoff = 100
        package var maxBackoff = 5_000

        package init(socketPath: String, hello: JSONObject) {
            self.socketPath = socketPath
            self.hello = hello
        }
    }

    private struct Batch {
        var sequence: UInt64
        var events: [JSONValue]
    }

    private struct State {
        var live: LivePolicy?
        var pending: [JSONValue] = []
        var unacked: [Batch] = []
        var nextSequence: UInt64 = 1
        var dropped = 0
        var droppedReported = 0
        var connected = false
        var policies = 0
        /// Policies the sidecar had from the console in this run (not from its cache of an earlier one).
        var consolePolicies = 0
        var started = false
        /// The latest report line of each kind, and which of them this session has sent (latest wins).
        var reports: [String: String] = [:]
        var reportsSent: Set<String> = []
    }

    package let configuration: Configuration
    private let state = Mutex(State())
    /// The console's compliance settings, as the sidecar relays them with each policy.
    package let compliance = LiveCompliance()

    package init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The socket to use, from the environment: SCUTE_CHANNEL_SOCKET, or `channel.sock` in SCUTE_DATA_FOLDER
    /// (default /scute) when a socket is there; nil when there is no sidecar to talk to.
    package static func socketPath(environment env: [String: String]) -> String? {
        if let explicit = env["SCUTE_CHANNEL_SOCKET"], !explicit.isEmpty { return explicit }
        var folder = env["SCUTE_DATA_FOLDER"].flatMap { $0.isEmpty ? nil : $0 } ?? "/scute"
        if folder.hasSuffix("/") { folder.removeLast() }
        let path = folder + "/" + LocalMessage.socketName
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFSOCK else { return nil }
        return path
    }

    /// The hello payload for this defender, from the environment and its identity.
    package static func hello(environment env: [String: String], identity: AppIdentity) -> JSONObject {
        func value(_ key: String) -> String { env[key] ?? "" }
        let id = env["SCUTE_DEFENDER_ID"].flatMap { $0.isEmpty ? nil : $0 } ?? AuditEvent.newID()
        return JSONObject([
            "defenderID": .string(id),
            "appID": .string(identity.appID),
            "taskFamily": .string(value("SCUTE_TASK_FAMILY")),
            "taskARN": .string(value("SCUTE_TASK_ARN")),
            "container": .string(identity.container),
            "image": .string(identity.image),
            "version": .string(defenderVersion),
        ])
    }

    /// Whether the sidecar is connected now.
    package var isConnected: Bool { state.withLock { $0.connected } }
    /// How many policies the sidecar has pushed.
    package var policiesReceived: Int { state.withLock { $0.policies } }
    /// How many of them came from the console in this run, not from the relay's cache of an earlier run.
    package var consolePoliciesReceived: Int { state.withLock { $0.consolePolicies } }
    /// Audits dropped because the in-memory queue was full.
    package var dropped: Int { state.withLock { $0.dropped } }
    /// Audits not yet acknowledged by the sidecar.
    package var unacknowledged: Int { state.withLock { s in s.pending.count + s.unacked.reduce(0) { $0 + $1.events.count } } }

    /// Starts the link's thread; policies the sidecar pushes replace `live`'s.
    package func start(live: LivePolicy) {
        let first = state.withLock { s in
            s.live = live
            defer { s.started = true }
            return !s.started
        }
        guard first else { return }
        PosixThread { self.loop() }.start()
    }

    /// Queues audits for the sidecar (never blocks on the socket).
    package func record(_ events: [AuditEvent]) {
        guard !events.isEmpty else { return }
        let json = events.map(\.json)
        state.withLock { s in
            s.pending.append(contentsOf: json)
            var excess = s.pending.count + s.unacked.reduce(0) { $0 + $1.events.count } - configuration.maxEvents
            guard excess > 0 else { return }
            s.dropped += excess
            // The oldest go first: those of the oldest unacknowledged batches, then the oldest pending.
            while excess > 0, !s.unacked.isEmpty {
                let n = min(excess, s.unacked[0].events.count)
                s.unacked[0].events.removeFirst(n)
                if s.unacked[0].events.isEmpty { s.unacked.removeFirst() }
                excess -= n
            }
            if excess > 0 { s.pending.removeFirst(excess) }
        }
    }

    /// Waits (bounded) until the sidecar has acknowledged every audit; returns whether it has. Gives up
    /// after a second without a connection, so a dead sidecar does not hold the app's exit for long.
    @discardableResult
    package func drain(seconds: Double) -> Bool {
        let start = Sys.monotonic()
        let deadline = start + Int64(seconds * 1e9)
        var lastConnected = start
        while unacknowledged > 0 {
            let now = Sys.monotonic()
            if isConnected { lastConnected = now }
            if now >= deadline || now - lastConnected > 1_000_000_000 { return false }
            usleep(10_000)
        }
        return true
    }

    private func loop() {
        // The thread may start before the defender blocks the signals it forwards to the app: keep them
        // away from here, or a SIGTERM landing on this thread would kill the defender instead.
        var all = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, nil)
        var delay = configuration.backoff
        while true {
            let fd = connectSocket()
            if fd >= 0 {
                let since = Sys.monotonic()
                session(fd)
                close(fd)
                state.withLock { $0.connected = false }
                if Sys.monotonic() - since > 10_000_000_000 { delay = configuration.backoff }
            }
            usleep(UInt32(delay) * 1000)
            delay = min(delay * 2, configuration.maxBackoff)
        }
    }

    private func connectSocket() -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(configuration.socketPath.utf8)
        let fits = withUnsafeMutableBytes(of: &address.sun_path) { raw -> Bool in
            guard path.count < raw.count else { return false }
            raw.copyBytes(from: path)
            raw[path.count] = 0
            return true
        }
        let rc =
            fits
            ? withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            } : -1
        guard rc == 0 else {
            close(fd)
            return -1
        }
        // A sidecar that stops reading must not hold the link thread forever.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    /// One connection: hello, resend what is unacknowledged, then send new batches and read pushes until
    /// the socket fails.
    private func session(_ fd: Int32) {
        guard send(fd, LocalMessage(type: .hello, payload: configuration.hello)) else { return }
        let (resend, dropped) = state.withLock { s in
            s.connected = true
            s.reportsSent = []
            defer { s.droppedReported = s.dropped }
            return (s.unacked, s.dropped - s.droppedReported)
        }
        if dropped > 0 { Sys.warn("scute: \(dropped) audits dropped while the sidecar was away") }
        for batch in resend {
            guard send(fd, .audits(sequence: batch.sequence, events: batch.events)) else { return }
        }
        var lines = LineBuffer()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 50)
            if ready < 0 && scute_errno() != EINTR { return }
            if ready > 0 {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && scute_errno() == EINTR { continue }
                if n <= 0 { return }
                let complete: [String]
                do {
                    complete = try lines.append(buffer[0..<n])
                } catch {
                    Sys.warn("scute: sidecar: \(error.description)")
                    return
                }
                for line in complete { handle(line) }
            }
            while let next = nextBatch() {
                guard send(fd, .audits(sequence: next.sequence, events: next.events)) else { return }
            }
            let due = state.withLock { s in
                let kinds = s.reports.keys.filter { !s.reportsSent.contains($0) }.sorted()
                s.reportsSent.formUnion(kinds)
                return kinds.compactMap { s.reports[$0] }
            }
            for line in due {
                guard sendLine(fd, line) else { return }
            }
        }
    }

    /// Keeps a compliance or inventory report (a JSON object) as the latest of its kind; sent to the sidecar
    /// now or after the next (re)connect, replacing any earlier one not yet sent.
    package func report(_ report: DefenderReport) {
        guard report.json.count <= ChannelMessage.maxReportBytes, let value = try? JSONValue.parse(bytes: report.json),
            value.objectValue != nil
        else { return }
        let payload = JSONObject(["kind": .string(report.kind.rawValue), "report": value])
        let line = LocalMessage(type: .report, id: report.kind.rawValue, payload: payload).line
        state.withLock { s in
            s.reports[report.kind.rawValue] = line
            s.reportsSent.remove(report.kind.rawValue)
        }
    }

    /// Moves up to a batch of pending audits into a new unacknowledged batch.
    private func nextBatch() -> Batch? {
        state.withLock { s in
            guard !s.pending.isEmpty else { return nil }
            let n = min(s.pending.count, configuration.batchSize)
            let batch = Batch(sequence: s.nextSequence, events: Array(s.pending.prefix(n)))
            s.pending.removeFirst(n)
            s.nextSequence += 1
            s.unacked.append(batch)
            return batch
        }
    }

    private func handle(_ line: String) {
        let message: LocalMessage
        do {
            message = try LocalMessage.parse(line)
        } catch {
            Sys.warn("scute: sidecar: \(error.description)")
            return
        }
        switch message.type {
        case .ack:
            guard let sequence = UInt64(message.id) else { return }
            state.withLock { s in s.unacked.removeAll { $0.sequence == sequence } }
        case .policy:
            guard let content = message.policyContent else {
                Sys.warn("scute: sidecar: a policy message without a policy; keeping the current one")
                return
            }
            if let json = message.payload["compliance"], let settings = ComplianceSettings(json: json) { compliance.update(settings) }
            let policy: Policy
            do {
                policy = try Policy(json: content.document)
            } catch {
                Sys.warn("scute: the console sent a policy that does not parse: \(error.description); keeping the current one")
                return
            }
            let live = state.withLock { $0.live }
            live?.update(policy, version: content.version)
            state.withLock {
                $0.policies += 1
                if !message.isCachedPolicy { $0.consolePolicies += 1 }
            }
        case .hello, .audits, .report:
            break
        }
    }

    private func send(_ fd: Int32, _ message: LocalMessage) -> Bool { sendLine(fd, message.line) }

    private func sendLine(_ fd: Int32, _ line: String) -> Bool {
        let bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && scute_errno() == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}
