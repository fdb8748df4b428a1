import ScuteCore

/// Everything the console keeps. Two implementations pass the same test suite: ``SQLiteStore`` (the default,
/// one file in the data folder) and ``PostgresStore`` (several console replicas on one database).
public protocol ScuteStore: Sendable {
    /// Applies the migrations this build knows and the database has not seen yet.
    func migrate() async throws(StoreError)

    // MARK: Users and API tokens
    func createUser(_ user: User) async throws(StoreError)
    func user(named name: String) async throws(StoreError) -> User?
    func users() async throws(StoreError) -> [User]
    func updateUser(_ user: User) async throws(StoreError)
    func deleteUser(named name: String) async throws(StoreError) -> Bool

    func createAPIToken(_ token: APIToken) async throws(StoreError)
    func apiToken(id: String) async throws(StoreError) -> APIToken?
    func apiTokens() async throws(StoreError) -> [APIToken]
    func deleteAPIToken(id: String) async throws(StoreError) -> Bool

    /// Ends a login session for good (logging out): its token's hash is kept until `expiresAt` (milliseconds),
    /// when the token would have expired anyway; hashes past their expiry at `now` are dropped.
    func endSession(tokenHash: String, expiresAt: Int64, now: Int64) async throws(StoreError)
    /// Whether the session of this token hash was ended.
    func isSessionEnded(tokenHash: String) async throws(StoreError) -> Bool

    // MARK: Collections (each change bumps the policy version: collections change what rules match)
    func createCollection(_ collection: StoredCollection) async throws(StoreError)
    func updateCollection(_ collection: StoredCollection) async throws(StoreError)
    func collection(named name: String) async throws(StoreError) -> StoredCollection?
    func collections() async throws(StoreError) -> [StoredCollection]
    func deleteCollection(named name: String) async throws(StoreError) -> Bool

    // MARK: Runtime rules (ordered; every change bumps the policy version)
    func runtimePolicy() async throws(StoreError) -> RuntimePolicy
    func policyVersion() async throws(StoreError) -> Int64
    /// Adds a rule at `position` (0 is first; nil appends); returns the new policy version.
    func createRule(_ rule: RuntimeRule, at position: Int?) async throws(StoreError) -> Int64
    func updateRule(_ rule: RuntimeRule) async throws(StoreError) -> Int64
    func deleteRule(named name: String) async throws(StoreError) -> Int64
    /// Puts the rules in this order; `names` must name every rule once.
    func reorderRules(_ names: [String]) async throws(StoreError) -> Int64

    // MARK: Compliance rules and custom checks (every change bumps the policy version: defenders get them
    // next to their runtime policy)
    func customChecks() async throws(StoreError) -> [CustomCheck]
    func customCheck(id: Int) async throws(StoreError) -> CustomCheck?
    /// Stores a new custom check under the next id (9000 and up, never reused) and returns it with its id.
    func createCustomCheck(_ check: CustomCheck) async throws(StoreError) -> CustomCheck
    func updateCustomCheck(_ check: CustomCheck) async throws(StoreError)
    /// False when there is no such check; a conflict when a compliance rule names it.
    func deleteCustomCheck(id: Int) async throws(StoreError) -> Bool
    /// The compliance rules in order.
    func complianceRules() async throws(StoreError) -> [ComplianceRule]
    /// Replaces the compliance rules with `rules`, in that order; returns the new policy version. Invalid
    /// when a rule names a check that does not exist or two rules share a name.
    func replaceComplianceRules(_ rules: [ComplianceRule]) async throws(StoreError) -> Int64

    // MARK: Defenders
    /// Records a defender as connected now (identity updated, `revoked` kept).
    func defenderConnected(_ defender: DefenderRecord, at time: Int64) async throws(StoreError)
    func defenderDisconnected(id: String, at time: Int64) async throws(StoreError)
    func defendersSeen(ids: [String], at time: Int64) async throws(StoreError)
    func defender(id: String) async throws(StoreError) -> DefenderRecord?
    func defenders() async throws(StoreError) -> [DefenderRecord]
    func revokeDefender(id: String, at time: Int64) async throws(StoreError) -> Bool
    func deleteDefender(id: String) async throws(StoreError) -> Bool
    /// Marks connected defenders not seen since `lastSeenBefore` as disconnected (a replica or a link died).
    func markStaleDefenders(lastSeenBefore: Int64) async throws(StoreError) -> Int
    /// Deletes defenders disconnected since before `disconnectedBefore` (revoked ones are kept).
    func expireDefenders(disconnectedBefore: Int64) async throws(StoreError) -> Int

    // MARK: Enrollment
    /// Enrolls a defender with a new credential, as connected now: creates its record, or takes over one that
    /// holds no credential and is not revoked. False when the ID is enrolled or revoked already (in one step,
    /// so two defenders claiming one new ID cannot both win).
    func enrollDefender(_ defender: DefenderRecord, credentialHash: String, at time: Int64) async throws(StoreError) -> Bool
    /// Stops an install bundle (its enrollment ID) from enrolling more defenders.
    func blockEnrollment(id: String, defenderID: String, at time: Int64) async throws(StoreError)
    func isEnrollmentBlocked(id: String) async throws(StoreError) -> Bool
    /// Replaces a defender's credential hash, only while it is `expected` (confirming a pending enrollment,
    /// or rolling back one the defender never confirmed); false when it was something else.
    func swapDefenderCredential(id: String, expected: String, new: String) async throws(StoreError) -> Bool
    /// Forgets every defender credential (those defenders must enroll again); returns how many there were.
    func revokeDefenderCredentials() async throws(StoreError) -> Int

    // MARK: Audits
    /// Stores audits whose ids are new; returns how many were new. Durable when it returns.
    func insertAudits(_ audits: [StoredAudit]) async throws(StoreError) -> Int
    func audits(_ query: AuditQuery) async throws(StoreError) -> AuditPage
    func deleteAudits(before time: Int64) async throws(StoreError) -> Int

    // MARK: Reports and advisories
    /// Keeps `report` as its defender's latest of its kind (replacing the one before).
    func putReport(_ report: StoredReport) async throws(StoreError)
    /// The latest reports of one kind, every defender's.
    func reports(kind: String) async throws(StoreError) -> [StoredReport]
    /// Adds or replaces advisories by id.
    func putAdvisories(_ advisories: [StoredAdvisory]) async throws(StoreError)
    func advisories() async throws(StoreError) -> [StoredAdvisory]
    /// Deletes the reports of defenders the console no longer holds (expired or deleted); returns how many.
    func deleteOrphanReports() async throws(StoreError) -> Int

    // MARK: Settings
    func setting(_ key: String) async throws(StoreError) -> String?
    func setSetting(_ key: String, _ value: String) async throws(StoreError)
    func settings() async throws(StoreError) -> [String: String]
}
