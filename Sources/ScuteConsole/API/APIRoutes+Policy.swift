import HTTPTypes
import Hummingbird
import Logging
import ScuteCore
import ScuteStore

extension APIRoutes {
    func registerPolicy(_ api: RouterGroup<ConsoleRequestContext>) {
        // Collections
        api.get("collections") { _, context in
            _ = try context.require(.read)
            let list = try await store { () async throws(StoreError) in try await core.store.collections() }
            return Response.json(["collections": .array(list.map(Self.json))])
        }
        api.get("collections/:name") { _, context in
            _ = try context.require(.read)
            let name = try context.parameters.require("name")
            guard let c = try await store({ () async throws(StoreError) in try await core.store.collection(named: name) }) else {
                throw APIError.notFound("no collection \(name)")
            }
            return Response.json(Self.json(c))
        }
        api.post("collections") { request, context in
            _ = try context.require(.writePolicy)
            let c = try await collection(from: request, name: nil)
            try await store { () async throws(StoreError) in try await core.store.createCollection(c) }
            try await refresh()
            return Response.json(Self.json(c), status: .created)
        }
        api.put("collections/:name") { request, context in
            _ = try context.require(.writePolicy)
            let c = try await collection(from: request, name: try context.parameters.require("name"))
            try await store { () async throws(StoreError) in try await core.store.updateCollection(c) }
            try await refresh()
            return Response.json(Self.json(c))
        }
        api.delete("collections/:name") { _, context in
            _ = try context.require(.writePolicy)
            let name = try context.parameters.require("name")
            let policy = try await store { () async throws(StoreError) in try await core.store.runtimePolicy() }
            if let user = policy.rules.first(where: { Self.references($0.body, collection: name) }) {
                throw APIError(.conflict, "rule \(user.name) uses collection \(name)")
            }
            guard try await store({ () async throws(StoreError) in try await core.store.deleteCollection(named: name) }) else {
                throw APIError.notFound("no collection \(name)")
            }
            try await refresh()
            return Response(status: .noContent)
        }

        // Runtime rules
        api.get("policies/runtime") { _, context in
            _ = try context.require(.read)
            let policy = try await store { () async throws(StoreError) in try await core.store.runtimePolicy() }
            return Response.json(Self.json(policy))
        }
        api.post("policies/runtime/rules") { request, context in
            _ = try context.require(.writePolicy)
            let position = try QueryReader(request: request).int("position", range: 0...100_000, default: -1)
            let (name, body) = try await rule(from: request)
            let version = try await store { () async throws(StoreError) in
                try await core.store.createRule(
                    RuntimeRule(name: name, body: body, updatedAt: WallClock.milliseconds()),
                    at: position < 0 ? nil : position
                )
            }
            try await refresh()
            return Response.json(["version": .number(String(version)), "rule": body], status: .created)
        }
        api.put("policies/runtime/rules/:name") { request, context in
            _ = try context.require(.writePolicy)
            let name = try context.parameters.require("name")
            let (bodyName, body) = try await rule(from: request)
            guard bodyName == name else { throw APIError.badRequest("name", "must be \(name), the rule in the path (rename by delete and create)") }
            let version = try await store { () async throws(StoreError) in
                try await core.store.updateRule(RuntimeRule(name: name, body: body, updatedAt: WallClock.milliseconds()))
            }
            try await refresh()
            return Response.json(["version": .number(String(version)), "rule": body])
        }
        api.delete("policies/runtime/rules/:name") { _, context in
            _ = try context.require(.writePolicy)
            let name = try context.parameters.require("name")
            let version = try await store { () async throws(StoreError) in try await core.store.deleteRule(named: name) }
            try await refresh()
            return Response.json(["version": .number(String(version))])
        }
        api.put("policies/runtime/order") { request, context in
            _ = try context.require(.writePolicy)
            let body = try await JSONBody.object(of: request, limit: limit, allowed: ["names"])
            guard let names = try body.strings("names") else { throw APIError.badRequest("names", "missing") }
            let version = try await store { () async throws(StoreError) in try await core.store.reorderRules(names) }
            try await refresh()
            return Response.json(["version": .number(String(version)), "names": .strings(names)])
        }
    }

    /// Pushes a change to connected defenders now (other replicas notice the version within a second).
    func refresh() async throws(APIError) {
        try await store { () async throws(StoreError) in try await core.refreshPolicy() }
    }

    private func collection(from request: Request, name pathName: String?) async throws -> StoredCollection {
        let body = try await JSONBody.object(
            of: request,
            limit: limit,
            allowed: ["name", "description", "appIDs", "images", "containers", "taskFamilies"]
        )
        let name: String
        if let pathName {
            if let n = try body.string("name"), n != pathName { throw APIError.badRequest("name", "must be \(pathName), the collection in the path") }
            name = pathName
        } else {
            name = try body.requiredString("name", maxLength: 200)
        }
        return StoredCollection(
            name: name,
            description: try body.string("description", maxLength: 2000) ?? "",
            appIDs: try body.strings("appIDs") ?? [],
            images: try body.strings("images") ?? [],
            containers: try body.strings("containers") ?? [],
            taskFamilies: try body.strings("taskFamilies") ?? [],
            updatedAt: WallClock.milliseconds()
        )
    }

    private func rule(from request: Request) async throws -> (String, JSONValue) {
        let body = try await JSONBody.value(of: request, limit: limit)
        let known = try await store { () async throws(StoreError) in Set(try await core.store.collections().map(\.name)) }
        let name = try RuleValidator.validate(body, knownCollections: known)
        return (name, body)
    }

    static func references(_ rule: JSONValue, collection name: String) -> Bool {
        (rule.objectValue?["collections"]?.arrayValue ?? []).contains { entry in
            guard let o = entry.objectValue else { return false }
            return o.keys == ["name"] && o["name"]?.stringValue == name
        }
    }

    static func json(_ c: StoredCollection) -> JSONValue {
        [
            "name": .string(c.name),
            "description": .string(c.description),
            "appIDs": .strings(c.appIDs),
            "images": .strings(c.images),
            "containers": .strings(c.containers),
            "taskFamilies": .strings(c.taskFamilies),
            "updatedAt": iso(milliseconds: c.updatedAt),
        ]
    }

    static func json(_ p: RuntimePolicy) -> JSONValue {
        ["version": .number(String(p.version)), "rules": .array(p.rules.map(\.body))]
    }
}
