import HTTPTypes
import Hummingbird
import ScuteCore

/// Defend > Runtime: the ordered rules, with forms for processes, DNS and network.
extension WebUI {
    /// The form's fields and where each goes in a rule: section, key, and whether it is a list.
    static let ruleFields: [(field: String, section: String, key: String, list: Bool)] = [
        ("p_effect", "processes", "effect", false), ("p_allowed", "processes", "allowed", true), ("p_denied", "processes", "denied", true),
        ("d_effect", "dns", "effect", false), ("d_allowed", "dns", "allowed", true), ("d_denied", "dns", "denied", true),
        ("n_effect", "network", "effect", false), ("n_allowedIPs", "network", "allowedIPs", true), ("n_deniedIPs", "network", "deniedIPs", true),
    ]

    func runtime(_ s: Session, form: UIForm?, extra: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let answer = await api.call(.get, "/policies/runtime", token: s.token, context: s.context)
        let rules = answer.json?.objectValue?["rules"]?.arrayValue ?? []
        let rows: [[String: Any]] = rules.enumerated().map { i, rule in
            let o = rule.objectValue
            var summary: [String] = []
            for section in ["processes", "dns", "network"] {
                guard let part = o?[section]?.objectValue else { continue }
                summary.append("\(section): " + part.members.map { "\($0.key) \($0.value.serialized(.compact))" }.joined(separator: "; "))
            }
            let scope = (o?["collections"]?.arrayValue ?? []).map { $0.serialized(.compact) }.joined(separator: " ")
            return [
                "position": i + 1, "name": o?["name"]?.stringValue ?? "", "summary": summary.joined(separator: " | "), "scope": scope,
                "first": i == 0, "last": i == rules.count - 1,
            ]
        }
        var values: [String: String] = [:]
        if let form {
            for key in ["original", "name", "appIDs", "collectionNames"] + Self.ruleFields.map(\.field) { values[key] = form[key] }
        } else if let editing = rules.first(where: { $0.objectValue?["name"]?.stringValue == s.query("edit") })?.objectValue {
            values["original"] = editing["name"]?.stringValue
            values["name"] = editing["name"]?.stringValue
            let scopes = editing["collections"]?.arrayValue ?? []
            values["appIDs"] = scopes.flatMap { $0.objectValue?["appIDs"]?.stringArrayValue ?? [] }.joined(separator: "\n")
            values["collectionNames"] = scopes.compactMap { scope -> String? in
                guard let o = scope.objectValue, o.keys == ["name"] else { return nil }
                return o["name"]?.stringValue
            }.joined(separator: "\n")
            for f in Self.ruleFields {
                let v = editing[f.section]?.objectValue?[f.key]
                values[f.field] = f.list ? (v?.stringArrayValue ?? []).joined(separator: "\n") : v?.stringValue ?? ""
            }
        }
        var data: [String: Any] = [
            "rules": rows, "hasRules": !rows.isEmpty, "version": answer.json?.objectValue?["version"]?.intValue ?? 0, "done": s.query("done"),
            "editing": !(values["original"] ?? "").isEmpty,
        ]
        for (k, v) in values { data["v_\(k)"] = v }
        for prefix in ["p", "d", "n"] {
            let chosen = values["\(prefix)_effect"] ?? ""
            data["\(prefix)_effects"] = ["", "alert", "prevent", "disable"].map {
                ["value": $0, "label": $0.isEmpty ? "(not set)" : $0, "selected": $0 == chosen] as [String: Any]
            }
        }
        data.merge(extra) { $1 }
        return render("runtime", "Defend > Runtime", s, data, status: status)
    }

    /// The rule the form describes, in the API's shape.
    static func rule(from form: UIForm) -> JSONValue {
        var rule = JSONObject(["name": .string(form["name"].uiTrimmed())])
        var scopes: [JSONValue] = []
        let appIDs = form.list("appIDs")
        if !appIDs.isEmpty { scopes.append(.object(JSONObject(["appIDs": .strings(appIDs)]))) }
        for name in form.list("collectionNames") { scopes.append(.object(JSONObject(["name": .string(name)]))) }
        rule.insert(.array(scopes), forKey: "collections", at: rule.count)
        for section in ["processes", "dns", "network"] {
            var part = JSONObject()
            for f in ruleFields where f.section == section {
                if f.list {
                    let items = form.list(f.field)
                    if !items.isEmpty { part.insert(.strings(items), forKey: f.key, at: part.count) }
                } else if !form[f.field].isEmpty {
                    part.insert(.string(form[f.field]), forKey: f.key, at: part.count)
                }
            }
            if !part.isEmpty { rule.insert(.object(part), forKey: section, at: rule.count) }
        }
        return .object(rule)
    }

    func saveRule(_ s: Session, _ form: UIForm) async throws -> Response {
        let original = form["original"]
        let answer =
            original.isEmpty
            ? await api.call(.post, "/policies/runtime/rules", token: s.token, json: Self.rule(from: form), context: s.context)
            : await api.call(
                .put,
                "/policies/runtime/rules/\(URLText.encode(original))",
                token: s.token,
                json: Self.rule(from: form),
                context: s.context
            )
        guard answer.ok else { return try await runtime(s, form: form, extra: Self.fieldError(answer), status: answer.status) }
        return .seeOther("/defend/runtime" + UIQuery.make([("done", "Saved rule \(form["name"])")]))
    }

    func deleteRule(_ s: Session, _ form: UIForm) async throws -> Response {
        let answer = await api.call(.delete, "/policies/runtime/rules/\(URLText.encode(form["name"]))", token: s.token, context: s.context)
        return .seeOther("/defend/runtime" + UIQuery.make([("done", answer.ok ? "Deleted rule \(form["name"])" : answer.errorMessage)]))
    }

    /// Up or down one place: the new order goes to the API whole.
    func moveRule(_ s: Session, _ form: UIForm) async throws -> Response {
        let current = await api.call(.get, "/policies/runtime", token: s.token, context: s.context)
        var names = (current.json?.objectValue?["rules"]?.arrayValue ?? []).compactMap { $0.objectValue?["name"]?.stringValue }
        guard let i = names.firstIndex(of: form["name"]) else { return .seeOther("/defend/runtime") }
        let j = form["direction"] == "up" ? i - 1 : i + 1
        guard names.indices.contains(j) else { return .seeOther("/defend/runtime") }
        names.swapAt(i, j)
        let answer = await api.call(
            .put,
            "/policies/runtime/order",
            token: s.token,
            json: .object(JSONObject(["names": .strings(names)])),
            context: s.context
        )
        return .seeOther("/defend/runtime" + UIQuery.make([("done", answer.ok ? "Moved rule \(form["name"])" : answer.errorMessage)]))
    }
}
