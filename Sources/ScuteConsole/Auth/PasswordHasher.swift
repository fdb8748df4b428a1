import HTTPTypes
import HummingbirdBcrypt
import NIOPosix
import ServiceLifecycle
import Synchronization

/// bcrypt on a thread pool of its own, never on the tasks that serve requests: a flood of logins then waits
/// for these threads instead of stalling `/health`, the channel and every other request. At most `maxQueued`
/// hashes wait; beyond that a login is refused at once with 503 (the client retries), so the wait stays short.
/// Runs as a service so the pool's threads stop with the console.
final class PasswordHasher: Service, Sendable {
    private let pool: NIOThreadPool
    private let maxQueued: Int
    private let queued = Atomic<Int>(0)

    init(threads: Int, maxQueued: Int) {
        pool = NIOThreadPool(numberOfThreads: max(1, threads))
        pool.start()
        self.maxQueued = maxQueued
    }

    func hash(_ password: String, cost: UInt8) async throws(APIError) -> String {
        try await run { Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, hash: String) async throws(APIError) -> Bool {
        try await run { Bcrypt.verify(password, hash: hash) }
    }

    func run() async throws {
        // The pool lives until the console shuts down; hashes still queued then fail with 503.
        try? await gracefulShutdown()
        try await pool.shutdownGracefully()
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws(APIError) -> T {
        let waiting = queued.wrappingAdd(1, ordering: .relaxed).newValue
        defer { queued.wrappingSubtract(1, ordering: .relaxed) }
        guard waiting <= maxQueued else { throw Self.busy }
        do {
            return try await pool.runIfActive(body)
        } catch {
            throw Self.busy
        }
    }

    static var busy: APIError {
        var error = APIError(.serviceUnavailable, "too many password checks in progress; try again in a second")
        error.headers[.retryAfter] = "1"
        return error
    }
}
