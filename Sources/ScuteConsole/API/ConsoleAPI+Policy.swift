import HTTPTypes
import Logging
import ScuteConsoleAPI
import ScuteCore
import ScuteStore

extension ConsoleAPI {
    // MARK: Collections

    func listCollections(_ input: Operations.ListCollections.Input) async throws -> Operations.ListCollections.Output {
        let list = try await store { () async throws(StoreError) in try await core.store.collections() }
        return .ok(.init(body: .json(.init(collections: list.map(Self.schema)))))
    }

    func getCollection(_ input: Operations.GetCollection.Input) async throws -> Operations.GetCollection.Output {
        let name = input.path.name
        guard let c = try await store({ () async throws(StoreError) in try await core.store.collection(named: name) }) else {
            throw APIError.notFound("no collection \(name)")
        }
        return .ok(.init(body: .json(Self.schema(c))))
    }

    func createCollection(_ input: Operations.CreateCollection.Input) async throws -> Operations.CreateCollection.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        let c = try Self.collection(
            name: try Self.text(body.name, "name", maxLength: 200),
            description: body.description,
            patterns: (body.appIDs, body.images, body.containers, body.taskFamilies, body.taskIDs)
        )
        try await store { () async throws(StoreError) in try await core.store.createCollection(c) }
        try await refresh()
        return .created(.init(body: .json(Self.schema(c))))
    }

    func updateCollection(_ input: Operations.UpdateCollection.Input) async throws -> Operations.UpdateCollection.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        let name = input.path.name
        if let n = body.name, n != name { throw APIError.badRequest("name", "must be \(name), the collection in the path") }
        let c = try Self.collection(
            name: name,
            description: body.description,
            patterns: (body.appIDs, body.images, body.containers, body.taskFamilies, body.taskIDs)
        )
        try await store { () async throws(StoreError) in try await core.store.updateCollection(c) }
        try await refresh()
        return .ok(.init(body: .json(Self.schema(c))))
    }

    func deleteCollection(_ input: Operations.DeleteCollection.Input) async throws -> Operations.DeleteCollection.Output {
        let name = input.path.name
        let policy = try await store { () async throws(StoreError) in try await core.store.runtimePolicy() }
        if let user = policy.rules.first(where: { Self.references($0.body, collection: name) }) {
            throw APIError(.conflict, "rule \(user.name) uses collection \(name)")
        }
        let compliance = try await store { () async throws(StoreError) in try await core.store.complianceRules() }
        if let user = compliance.first(where: { rule in rule.collections.contains { Self.references(["collections": [$0]], collection: name) } }) {
            throw APIError(.conflict, "compliance rule \(user.name) uses collection \(name)")
        }
        guard try await store({ () async throws(StoreError) in try await core.store.deleteCollection(named: name) }) else {
            throw APIError.notFound("no collection \(name)")
        }
        try await refresh()
        return .noContent(.init())
    }

    // MARK: Runtime rules

    func getRuntimePolicy(_ input: Operations.GetRuntimePolicy.Input) async throws -> Operations.GetRuntimePolicy.Output {
        let policy = try await store { () async throws(StoreError) in try await core.store.runtimePolicy() }
        let rules = try policy.rules.map { rule throws(APIError) in try JSONBridge.decode(Components.Schemas.Rule.self, from: rule.body) }
        return .ok(.init(body: .json(.init(version: Int(policy.version), rules: rules))))
    }

    func createRule(_ input: Operations.CreateRule.Input) async throws -> Operations.CreateRule.Output {
        guard case .json(let rule) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        let position = input.query.position ?? -1
        guard (-1...100_000).contains(position) else { throw APIError.badRequest("position", "must be from 0 to 100000") }
        let (name, body) = try await validated(rule)
        let version = try await store { () async throws(StoreError) in
            try await core.store.createRule(
                RuntimeRule(name: name, body: body, updatedAt: WallClock.milliseconds()),
                at: position < 0 ? nil : position
            )
        }
        try await refresh()
        return .created(.init(body: .json(.init(version: Int(version), rule: rule))))
    }

    func updateRule(_ input: Operations.UpdateRule.Input) async throws -> Operations.UpdateRule.Output {
        guard case .json(let rule) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        let name = input.path.name
        let (bodyName, body) = try await validated(rule)
        guard bodyName == name else {
            throw APIError.badRequest("name", "must be \(name), the rule in the path (rename by delete and create)")
        }
        let version = try await store { () async throws(StoreError) in
            try await core.store.updateRule(RuntimeRule(name: name, body: body, updatedAt: WallClock.milliseconds()))
        }
        try await refresh()
        return .ok(.init(body: .json(.init(version: Int(version), rule: rule))))
    }

    func deleteRule(_ input: Operations.DeleteRule.Input) async throws -> Operations.DeleteRule.Output {
        let name = input.path.name
        let version = try await store { () async throws(StoreError) in try await core.store.deleteRule(named: name) }
        try await refresh()
        return .ok(.init(body: .json(.init(version: Int(version)))))
    }

    func reorderRules(_ input: Operations.ReorderRules.Input) async throws -> Operations.ReorderRules.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        let names = body.names
        let version = try await store { () async throws(StoreError) in try await core.store.reorderRules(names) }
        try await refresh()
        return .ok(.init(body: .json(.init(version: Int(version), names: names))))
    }

    /// Pushes a change to connected defenders now (other replicas notice the version within a second).
    func refresh() async throws(APIError) {
        try await store { () async throws(StoreError) in try await core.refreshPolicy() }
    }

    /// The rule as the policy model's parser sees it (errors name the field), with its name.
    private func validated(_ rule: Components.Schemas.Rule) async throws(APIError) -> (String, JSONValue) {
        let body = try JSONBridge.value(rule)
        let known = try await store { () async throws(StoreError) in Set(try await core.store.collections().map(\.name)) }
        let name = try RuleValidator.validate(body, knownCollections: known)
        return (name, body)
    }

    private static func collection(
        name: String,
        description: String?,
        patterns: (appIDs: [String]?, images: [String]?, containers: [String]?, taskFamilies: [String]?, taskIDs: [String]?)
    ) throws(APIError) -> StoredCollection {
        if let description, description.utf8.count > 2000 { throw APIError.badRequest("description", "longer than 2000 bytes") }
        let fields = [
            ("appIDs", patterns.appIDs), ("images", patterns.images), ("containers", patterns.containers),
            ("taskFamilies", patterns.taskFamilies), ("taskIDs", patterns.taskIDs),
        ]
        for (field, list) in fields { try RuleValidator.checkPatterns(list ?? [], field: field) }
        return StoredCollection(
            name: name,
            description: description ?? "",
            appIDs: patterns.appIDs ?? [],
            images: patterns.images ?? [],
            containers: patterns.containers ?? [],
            taskFamilies: patterns.taskFamilies ?? [],
            taskIDs: patterns.taskIDs ?? [],
            updatedAt: WallClock.milliseconds()
        )
    }

    static func references(_ rule: JSONValue, collection name: String) -> Bool {
        (rule.objectValue?["collections"]?.arrayValue ?? []).contains { entry in
            guard let o = entry.objectValue else { return false }
            return o.keys == ["name"] && o["name"]?.stringValue == name
        }
    }

    static func schema(_ c: StoredCollection) -> Components.Schemas.Collection {
        .init(
            name: c.name,
            description: c.description,
            appIDs: c.appIDs,
            images: c.images,
            containers: c.containers,
            taskFamilies: c.taskFamilies,
            taskIDs: c.taskIDs,
            updatedAt: date(milliseconds: c.updatedAt)
        )
    }
}
