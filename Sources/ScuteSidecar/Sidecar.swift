import ScuteBundle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `scute sidecar` in a Fargate task: puts the defender bundle into the volume shared with the app
/// containers, marks the volume ready, and stays up (the task's health check and the app containers'
/// `dependsOn HEALTHY` wait for it).
public struct Sidecar: Sendable {
    /// The shared volume, mounted at /scute in the app containers too.
    public var volume: String
    /// The bundle to unpack.
    public var bundle: String

    /// The default volume path.
    public static let defaultVolume = "/scute"
    /// Where the sidecar image keeps the bundle.
    public static let defaultBundle = "/opt/scute/scute-defender.tar.gz"
    /// The ready marker's name inside the volume.
    public static let readyMarker = ".scute-ready"

    public init(volume: String = Sidecar.defaultVolume, bundle: String = Sidecar.defaultBundle) {
        self.volume = volume
        self.bundle = bundle
    }

    /// Unpacks the bundle into the volume and then (unless `markReady` is false: the caller marks it once
    /// everything the app needs is up) writes the ready marker. A stale marker is removed first, so the volume
    /// never reads ready while the defender is being replaced.
    public func prepare(markReady: Bool = true) throws(BundleError) {
        let marker = Self.markerPath(volume)
        try FileSystem.makeDirectories(volume)
        try FileSystem.remove(marker)
        let archive = try FileSystem.read(bundle)
        try DefenderBundle.unpack(archive, into: volume)
        guard FileSystem.isExecutableFile(Self.defenderPath(volume)) else {
            throw .io("the bundle \(bundle) holds no executable \(DefenderBundle.executableName)")
        }
        if markReady { try self.markReady() }
    }

    /// Writes the ready marker: the task's health check passes and the app containers start.
    public func markReady() throws(BundleError) {
        try FileSystem.writeAtomically(Array("ready\n".utf8), to: Self.markerPath(volume), mode: 0o644)
    }

    /// Why the volume is not ready, or nil when it is: the defender is there and executable, and the ready
    /// marker exists.
    public static func healthProblem(volume: String) -> String? {
        let defender = defenderPath(volume)
        if !FileSystem.exists(defender) { return "\(defender) does not exist" }
        if !FileSystem.isExecutableFile(defender) { return "\(defender) is not an executable file" }
        let marker = markerPath(volume)
        if !FileSystem.exists(marker) { return "the ready marker \(marker) does not exist" }
        return nil
    }

    static func defenderPath(_ volume: String) -> String { join(volume, DefenderBundle.executableName) }
    static func markerPath(_ volume: String) -> String { join(volume, readyMarker) }
    private static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}

/// SIGTERM and SIGINT, caught: a handler writes the signal number to a pipe that `wait()` reads. The signal
/// may land on any thread of the process (the Swift concurrency pool's included), and as PID 1 an unhandled
/// SIGTERM would be ignored. Install it before announcing readiness, so a stop request is never lost.
public struct TerminationSignal: Sendable {
    private let readEnd: Int32

    /// Installs the handlers (once per process).
    public static func install() -> TerminationSignal {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        signalPipe = fds[1]
        let handler: @convention(c) (Int32) -> Void = { signal in
            var byte = UInt8(truncatingIfNeeded: signal)
            _ = write(signalPipe, &byte, 1)
        }
        signal(SIGTERM, handler)
        signal(SIGINT, handler)
        return TerminationSignal(readEnd: fds[0])
    }

    /// Blocks until SIGTERM or SIGINT has arrived (possibly already) and returns it.
    public func wait() -> Int32 {
        var byte: UInt8 = 0
        while read(readEnd, &byte, 1) != 1 {
            if errno != EINTR { return 0 }
        }
        return Int32(byte)
    }

    /// Like `wait()`, but gives up after `milliseconds` and returns nil.
    public func wait(milliseconds: Int32) -> Int32? {
        var entry = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, milliseconds) == 1 else { return nil }
        return wait()
    }
}

/// The write end of the pipe that the signal handler reports to; set once before the handler is installed.
nonisolated(unsafe) private var signalPipe: Int32 = -1
