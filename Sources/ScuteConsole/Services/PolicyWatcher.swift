import Logging
import ScuteStore
import ServiceLifecycle

/// Notices rule changes made through another console replica (the shared database's policy version)
/// and pushes them to this replica's defenders. Changes made through this replica are pushed at once.
struct PolicyWatcher: Service {
    let core: ConsoleCore

    func run() async throws {
        // Graceful shutdown cancels the loops; ending without an error keeps the shutdown graceful.
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await poll() }
                if let postgres = core.store as? PostgresStore {
                    group.addTask { await listen(postgres) }
                }
                await group.waitForAll()
            }
        }
    }

    /// The fallback (and the only way on SQLite): compare the stored version every poll interval.
    private func poll() async {
        let interval = Duration.milliseconds(core.configuration.policyPollMilliseconds)
        while !Task.isCancelled {
            guard (try? await Task.sleep(for: interval)) != nil else { return }
            await refreshIfChanged()
        }
    }

    /// PostgreSQL: NOTIFY from the replica that made the change, within milliseconds. Reconnects on errors.
    private func listen(_ postgres: PostgresStore) async {
        while !Task.isCancelled {
            do {
                try await postgres.listenForPolicyChanges { await refreshIfChanged() }
            } catch {
                if Task.isCancelled { return }
                core.logger.warning("console.policy_listen.failed")
            }
            guard (try? await Task.sleep(for: .seconds(1))) != nil else { return }
        }
    }

    private func refreshIfChanged() async {
        do {
            let version = try await core.store.policyVersion()
            if version > (await core.hub.policyVersion) {
                try await core.refreshPolicy()
                core.logger.debug("console.policy_watch.changed", metadata: ["version": "\(version)"])
            }
        } catch {
            core.logger.warning("console.policy_watch.failed")
        }
    }
}

/// Keeps defender state true: records heartbeats, marks silent defenders disconnected, forgets defenders
/// disconnected longer than the expiry, deletes audits older than the retention.
struct Housekeeping: Service {
    let core: ConsoleCore

    func run() async throws {
        let heartbeat = Int64(core.configuration.heartbeatSeconds)
        await cancelWhenGracefulShutdown {
            var lastSweep = ContinuousClock.now
            while !Task.isCancelled {
                guard (try? await Task.sleep(for: .seconds(max(1, heartbeat / 2)))) != nil else { return }
                await runOnce(sweep: ContinuousClock.now - lastSweep >= .seconds(core.configuration.housekeepingSeconds))
                if ContinuousClock.now - lastSweep >= .seconds(core.configuration.housekeepingSeconds) { lastSweep = .now }
            }
        }
    }

    /// One round: always the heartbeat flush; with `sweep`, the slower expiry and retention work too.
    func runOnce(sweep: Bool) async {
        let now = WallClock.milliseconds()
        do {
            try await core.store.defendersSeen(ids: await core.hub.takeSeen(), at: now)
            guard sweep else { return }
            let heartbeat = Int64(core.configuration.heartbeatSeconds) * 1000
            let stale = try await core.store.markStaleDefenders(lastSeenBefore: now - 3 * heartbeat)
            let settings = try await core.store.settings()
            let expiry = settings[SettingKey.defenderExpirySeconds].flatMap { Int64($0) } ?? core.configuration.defenderExpiry
            let expired = try await core.store.expireDefenders(disconnectedBefore: now - expiry * 1000)
            // Their compliance reports, inventories and vulnerabilities go with them.
            _ = try await core.store.deleteOrphanReports()
            let days = settings[SettingKey.auditRetentionDays].flatMap { Int64($0) } ?? Int64(core.configuration.auditRetentionDays)
            let purged = try await core.store.deleteAudits(before: (now - days * 86_400_000) * 1_000_000)
            if stale + expired + purged > 0 {
                core.logger.info("console.housekeeping", metadata: ["stale": "\(stale)", "expired": "\(expired)", "purged": "\(purged)"])
            }
        } catch {
            core.logger.warning("console.housekeeping.failed")
        }
    }
}
