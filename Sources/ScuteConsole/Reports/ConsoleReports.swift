import Foundation
import ScuteCore
import ScuteStore
import ScuteVulns
import Synchronization

/// Compliance and inventory reports from defenders, the vulnerabilities the console matches for each
/// inventory, and the OSV advisories it matches them against.
package struct ConsoleReports: Sendable {
    package let store: any ScuteStore

    package init(store: any ScuteStore) { self.store = store }

    /// The most findings and packages one report may hold.
    static let maxItems = 100_000

    // MARK: Ingest

    /// Checks a `report` payload (`{"kind", "report"}`) from a defender and keeps it as that defender's
    /// latest of its kind; an inventory is matched at once. Returns why it was refused, or nil when stored.
    package func ingest(
        _ payload: JSONObject,
        from hello: DefenderHello,
        now: Int64 = WallClock.milliseconds()
    ) async throws(StoreError) -> String? {
        guard let kind = payload["kind"]?.stringValue, ["compliance", "inventory"].contains(kind) else {
            return "report.kind: expected compliance or inventory"
        }
        guard let report = payload["report"], let object = report.objectValue else { return "report.report: expected an object" }
        if let reason = Self.check(kind: kind, object) { return "report.report.\(reason)" }
        let body = report.serialized(.compact)
        guard body.utf8.count <= ChannelMessage.maxReportBytes else {
            return "report.report: larger than \(ChannelMessage.maxReportBytes) bytes"
        }
        let stored = Self.record(hello, kind: kind, time: now, body: body)
        try await store.putReport(stored)
        if kind == "inventory" {
            let matcher = try await matcher()
            try await store.putReport(Self.vulnerabilities(for: stored, matcher: matcher))
        }
        return nil
    }

    /// What is wrong with a report's shape (the field named), or nil.
    static func check(kind: String, _ object: JSONObject) -> String? {
        let listKey = kind == "compliance" ? "findings" : "packages"
        guard let items = object[listKey]?.arrayValue else { return "\(listKey): expected an array" }
        guard items.count <= maxItems else { return "\(listKey): more than \(maxItems) entries" }
        for (index, item) in items.enumerated() {
            guard let o = item.objectValue else { return "\(listKey)[\(index)]: expected an object" }
            let required = kind == "compliance" ? ["title", "severity"] : ["ecosystem", "name", "version"]
            for key in required where o[key]?.stringValue == nil { return "\(listKey)[\(index)].\(key): expected a string" }
            if kind == "compliance", o["check"]?.intValue == nil { return "\(listKey)[\(index)].check: expected an integer" }
        }
        if kind == "inventory", let release = object["release"], release.stringValue == nil {
            return "release: expected a string"
        }
        return nil
    }

    static func record(_ hello: DefenderHello, kind: String, time: Int64, body: String) -> StoredReport {
        StoredReport(
            defenderID: hello.defenderID,
            kind: kind,
            appID: hello.appID,
            taskFamily: hello.taskFamily,
            taskARN: hello.taskARN,
            container: hello.container,
            image: hello.image,
            time: time,
            body: body
        )
    }

    // MARK: Matching

    private struct Inventory: Decodable {
        var packages: [InstalledPackage]
        var release: String?
    }

    private func heldAdvisories() async throws(StoreError) -> [OSVAdvisory] {
        let decoder = JSONDecoder()
        return try await store.advisories().compactMap { try? decoder.decode(OSVAdvisory.self, from: Data($0.body.utf8)) }
    }

    /// A matcher over the advisories the store holds. Building one decodes every advisory (tens of thousands),
    /// so the latest is kept until the advisories' generation changes (an import here or on another replica);
    /// one matcher for one store at a time keeps the memory bounded.
    func matcher() async throws(StoreError) -> VulnerabilityMatcher {
        let generation = try await store.setting(SettingKey.advisoriesGeneration) ?? ""
        // The store itself is held (not its address, which a later store could reuse).
        let key = store as AnyObject
        if let cached = Self.cachedMatcher.withLock({ $0 }), cached.store as AnyObject === key, cached.generation == generation {
            return cached.matcher
        }
        let matcher = VulnerabilityMatcher(advisories: try await heldAdvisories())
        Self.cachedMatcher.withLock { $0 = (store, generation, matcher) }
        return matcher
    }

    private static let cachedMatcher = Mutex<(store: any ScuteStore, generation: String, matcher: VulnerabilityMatcher)?>(nil)

    /// The `vulnerabilities` report for a stored inventory: `{"vulnerabilities": [...]}` as `scute vulns` writes it.
    static func vulnerabilities(for inventory: StoredReport, matcher: VulnerabilityMatcher) -> StoredReport {
        var out = inventory
        out.kind = "vulnerabilities"
        var matches: [VulnerabilityMatch] = []
        if let decoded = try? JSONDecoder().decode(Inventory.self, from: Data(inventory.body.utf8)) {
            matches = matcher.match(decoded.packages, release: decoded.release).matches
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        out.body =
            (try? encoder.encode(VulnerabilityReport(vulnerabilities: matches))).map { String(decoding: $0, as: UTF8.self) }
            ?? #"{"vulnerabilities":[]}"#
        return out
    }

    /// Matches every stored inventory again (after an advisory import); returns how many.
    @discardableResult
    package func rematchAll() async throws(StoreError) -> Int {
        let matcher = try await matcher()
        let inventories = try await store.reports(kind: "inventory")
        for inventory in inventories { try await store.putReport(Self.vulnerabilities(for: inventory, matcher: matcher)) }
        return inventories.count
    }

    // MARK: Advisories

    /// Imports advisories: a record replaces the held one with its id unless it is older (by `modified`) or
    /// the same; then every stored inventory is matched again. The summary counts what changed.
    package func importAdvisories(_ advisories: [OSVAdvisory]) async throws(StoreError) -> AdvisoryDatabase.ImportSummary {
        let held = try await heldAdvisories()
        var database = AdvisoryDatabase()
        database.importAdvisories(held)
        let before = Dictionary(held.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let summary = database.importAdvisories(advisories)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var changed: [StoredAdvisory] = []
        for id in Set(advisories.map(\.id)).sorted() {
            guard let now = database.advisory(id: id), before[id] != now, let body = try? encoder.encode(now) else { continue }
            changed.append(
                StoredAdvisory(
                    id: id,
                    modified: now.modified,
                    ecosystem: now.affected.first?.ecosystem ?? "",
                    package: now.affected.first?.name ?? "",
                    body: String(decoding: body, as: UTF8.self)
                )
            )
        }
        try await store.putAdvisories(changed)
        if !changed.isEmpty {
            try await store.setSetting(SettingKey.advisoriesGeneration, AuditEvent.newID())
            try await rematchAll()
        }
        return summary
    }

    /// How many advisories are held and the newest `modified` among them.
    package func advisorySummary() async throws(StoreError) -> (total: Int, newestModified: String?) {
        var database = AdvisoryDatabase()
        database.importAdvisories(try await heldAdvisories())
        return (database.count, database.newestModified)
    }
}
