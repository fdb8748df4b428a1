import ScuteCore
import ScuteStore

extension ChannelServer {
    /// Whether a defender that said `hello` may stay, and the credential it was just issued, if any.
    enum Admission: Equatable {
        case admitted(credential: String?)
        /// `code` tells the defender what to do: `credential` (enroll again), `revoked`, `enrolled`,
        /// `in-use`, `bundle-revoked`, `identity`.
        case refused(String, code: String)
    }

    /// Decides on a defender from its hello and what it presented at the upgrade:
    /// - its own credential: accepted when it is the one issued to this defender ID and the hello keeps the
    ///   app ID it enrolled with; a channel still open for the ID is taken to be dead and replaced;
    /// - an install bundle's token: enrolls a defender ID no one holds (never one enrolled already, revoked, or
    ///   connected now), unless a defender this bundle enrolled was revoked. A defender speaking protocol 2
    ///   gets a credential of its own; one speaking protocol 1 cannot keep one and presents the bundle again
    ///   every time.
    ///
    /// An enrollment is pending until the defender confirms it kept its credential (`heartbeat` with
    /// `{"credentialKept": true}`); a channel that ends unconfirmed rolls it back, so a defender whose `welcome`
    /// was lost enrolls again instead of being locked out, and no one else can meanwhile (it is connected).
    func admit(_ hello: DefenderHello, presenting credential: ChannelCredential) async throws(StoreError) -> Admission {
        let record = try await core.store.defender(id: hello.defenderID)
        let now = WallClock.milliseconds()
        if record?.revoked == true { return .refused("this defender was revoked", code: "revoked") }
        switch credential {
        case .defender(let id, let secret):
            let hash = Secrets.sha256Hex(secret)
            guard id == hello.defenderID, let record, record.isEnrolled,
                Secrets.constantTimeEqual(hash, record.confirmedCredentialHash)
            else {
                return .refused("the console does not know this defender's credential; enroll again with the install bundle", code: "credential")
            }
            guard record.appID == hello.appID else {
                return .refused("hello.appID: this defender is enrolled for app \(record.appID)", code: "identity")
            }
            await core.hub.disconnect(defenderID: hello.defenderID, reason: "this defender connected again on another channel")
            if record.credentialHash != hash {
                // It kept the credential of a welcome it did not get to confirm (the console stopped first).
                _ = try await core.store.swapDefenderCredential(id: hello.defenderID, expected: record.credentialHash, new: hash)
            }
            try await core.store.defenderConnected(Self.record(hello), at: now)
            return .admitted(credential: nil)
        case .enrollment(let enrollmentID):
            if try await core.store.isEnrollmentBlocked(id: enrollmentID) {
                return .refused(
                    "this install bundle enrolled a defender that was revoked and enrolls no more; embed a new one",
                    code: "bundle-revoked"
                )
            }
            if let record, record.isEnrolled {
                return .refused("defender ID \(hello.defenderID) is enrolled; only its own credential connects it", code: "enrolled")
            }
            let heartbeat = Int64(core.configuration.heartbeatSeconds) * 1000
            let liveElsewhere = record.map { $0.connected && now - $0.lastSeen < 3 * heartbeat } ?? false
            if await core.hub.isConnected(hello.defenderID) || liveElsewhere {
                return .refused("defender ID \(hello.defenderID) is connected already", code: "in-use")
            }
            var fresh = Self.record(hello)
            fresh.enrollmentID = enrollmentID
            guard hello.protocolVersion >= 2 else {
                try await core.store.defenderConnected(fresh, at: now)
                return .admitted(credential: nil)
            }
            // Pending until the defender says it kept the credential (ChannelServer.confirmEnrollment); rolled
            // back if the channel ends before that.
            let secret = Secrets.token(32)
            let pending = DefenderRecord.pendingCredentialPrefix + Secrets.sha256Hex(secret)
            guard try await core.store.enrollDefender(fresh, credentialHash: pending, at: now) else {
                return .refused("defender ID \(hello.defenderID) is enrolled; only its own credential connects it", code: "enrolled")
            }
            return .admitted(credential: ChannelCredential.make(defenderID: hello.defenderID, secret: secret))
        }
    }
}
