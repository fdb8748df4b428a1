import HTTPTypes
import Hummingbird
import ScuteCore
import ScuteStore

/// Manage > Defenders, Deploy, Collections, Users and API tokens, Settings.
extension WebUI {
    func defenders(_ s: Session) async throws -> Response {
        let connected = s.query("connected")
        let appID = s.query("appID")
        let answer = await api.call(
            .get,
            "/defenders" + UIQuery.make([("connected", connected), ("appID", appID)]),
            token: s.token,
            context: s.context
        )
        let now = WallClock.milliseconds()
        let rows: [[String: Any]] = (answer.json?.objectValue?["defenders"]?.arrayValue ?? []).map { d in
            var row = (Self.mustache(d) as? [String: Any]) ?? [:]
            let o = d.objectValue
            let arn = o?["taskARN"]?.stringValue ?? ""
            // The host is the task ID; a defender outside a task is known by its ID.
            row["task"] = arn.isEmpty ? o?["id"]?.stringValue ?? "" : UIQuery.taskID(arn)
            row["canRevoke"] = o?["revoked"] != .bool(true)
            let since = o?["since"]?.stringValue ?? ""
            row["since"] = since
            row["statusText"] = Self.status(
                connected: o?["connected"] == .bool(true),
                revoked: o?["revoked"] == .bool(true),
                since: since,
                now: now
            )
            return row
        }
        var data: [String: Any] = [
            "defenders": rows, "hasDefenders": !rows.isEmpty, "f_appID": appID, "done": s.query("done"),
            "error": answer.ok ? "" : answer.errorMessage,
        ]
        if connected == "true" { data["c_true"] = true }
        if connected == "false" { data["c_false"] = true }
        return render("defenders", "Manage > Defenders", s, data)
    }

    /// "connected for 2 h (since 2026-12-07 08:10 UTC)" or "disconnected since 2026-12-07 08:10 UTC (35 min ago)":
    /// how long, and from when, both at a glance.
    static func status(connected: Bool, revoked: Bool, since: String, now: Int64) -> String {
        guard let nanos = RFC3339.nanoseconds(since) else { return connected ? "connected" : "disconnected" }
        let millis = nanos / 1_000_000
        let at = UIQuery.readable(milliseconds: millis)
        let text =
            connected
            ? "connected for \(ConsoleAPI.humanDuration(milliseconds: now - millis)) (since \(at))"
            : "disconnected since \(at) (\(ConsoleAPI.humanDuration(milliseconds: now - millis)) ago)"
        return revoked ? "revoked; " + text : text
    }

    func revokeDefender(_ s: Session, _ form: UIForm) async throws -> Response {
        let answer = await api.call(.post, "/defenders/\(URLText.encode(form["id"]))/revoke", token: s.token, context: s.context)
        return .seeOther("/manage/defenders" + UIQuery.make([("done", answer.ok ? "Revoked \(form["id"])" : answer.errorMessage)]))
    }

    func deleteDefender(_ s: Session, _ form: UIForm) async throws -> Response {
        let answer = await api.call(.delete, "/defenders/\(URLText.encode(form["id"]))", token: s.token, context: s.context)
        return .seeOther("/manage/defenders" + UIQuery.make([("done", answer.ok ? "Deleted \(form["id"])" : answer.errorMessage)]))
    }

    /// The channel addresses defenders can use: one for each of the console's SANs.
    private var consoleAddresses: [String] {
        let port = core.runtime.channelPort ?? core.configuration.channelPort
        let scheme = core.configuration.insecureHTTP ? "ws" : "wss"
        let sans = core.identity.subjectAlternativeNames
        return sans.map { "\(scheme)://\($0.contains(":") ? "[\($0)]" : $0):\(port)" }
    }

    func deploy(_ s: Session, form: UIForm?, extra: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let chosen = form?["consoleaddr"] ?? ""
        var data: [String: Any] = [
            "addresses": consoleAddresses.map { ["address": $0, "selected": $0 == chosen] as [String: Any] },
            "document": form?["document"] ?? "", "appID": form?["appID"] ?? "", "installBundleSecret": form?["installBundleSecret"] ?? "",
            "plainEnvironment": form?["plainEnvironment"] == "on", "cloudFormation": form?["kind"] == "cloudFormation",
            "dockerAppID": form?["dockerAppID"] ?? "", "dockerEntrypoint": form?["entrypoint"] ?? "",
            "startupModes": Self.startupModeChoices(form?["startupMode"]),
            "dockerStartupModes": Self.startupModeChoices(form?["dockerStartupMode"]),
        ]
        data.merge(extra) { $1 }
        return render("deploy", "Manage > Defenders > Deploy", s, data, status: status)
    }

    /// "Generate protected task": the pasted task definition or template through the API's embed service.
    func generateTask(_ s: Session, _ form: UIForm) async throws -> Response {
        let text = form["document"]
        let cloudFormation = form["kind"] == "cloudFormation"
        var query: [(String, String)] = [
            ("consoleaddr", form["consoleaddr"]), ("appID", form["appID"]), ("startupMode", form["startupMode"]),
        ]
        if !cloudFormation {
            query.append(("installBundleSecret", form["installBundleSecret"]))
            if form["plainEnvironment"] == "on" { query.append(("plainEnvironment", "true")) }
        }
        let trimmed = text.uiTrimmed()
        let contentType = trimmed.hasPrefix("{") || !cloudFormation ? "application/json" : "application/yaml"
        let path = (cloudFormation ? "/defenders/cloudformation" : "/defenders/fargate.json") + UIQuery.make(query)
        let answer = await api.call(.post, path, token: s.token, body: Array(text.utf8), contentType: contentType, context: s.context)
        guard answer.ok else {
            let field = answer.errorField ?? "document"
            return try await deploy(
                s,
                form: form,
                extra: ["taskError": answer.errorMessage, "taskErrorField": field, "taskFieldError_\(Self.fieldKey(field))": answer.errorMessage],
                status: answer.status
            )
        }
        let output = cloudFormation ? String(decoding: answer.body, as: UTF8.self) : Self.laidOutLikeInput(answer.body, input: text)
        let warnings = answer.headers[values: HTTPField.Name("Scute-Warning")!]
        return try await deploy(
            s,
            form: form,
            extra: [
                "output": output, "hasOutput": true, "diff": UIDiff.lines(from: text, to: output),
                "filename": cloudFormation
                    ? (contentType == "application/json" ? "template.protected.json" : "template.protected.yaml") : "task-definition.protected.json",
                "warnings": warnings, "hasWarnings": !warnings.isEmpty,
            ]
        )
    }

    /// The API's compact JSON written out in the pasted document's layout, as `scute embed task-definition` does.
    static func laidOutLikeInput(_ body: [UInt8], input text: String) -> String {
        guard let result = try? JSONValue.parse(bytes: body), let (document, parsedHints) = try? JSONValue.parseKeepingLayout(text) else {
            return String(decoding: body, as: UTF8.self)
        }
        var hints = parsedHints
        if document.objectValue?["containerDefinitions"] == nil && document.objectValue?["taskDefinition"] != nil {
            hints = hints.under([.key("taskDefinition")])
        }
        if hints.inline[[]] != nil { hints = JSONLayoutHints() }
        return result.serialized(JSONValue.detectLayout(of: text), keeping: hints) + "\n"
    }

    /// The startup mode select's options, the chosen one selected (availability when none is chosen).
    static func startupModeChoices(_ chosen: String?) -> [[String: Any]] {
        let labels: [StartupMode: String] = [
            .availability: "Availability: apps start at once on the cached or default policy",
            .security: "Security: apps start only once the defender has the console's policy",
        ]
        let selected = chosen.flatMap(StartupMode.init(rawValue:)) ?? .availability
        return StartupMode.allCases.map { ["value": $0.rawValue, "label": labels[$0] ?? $0.rawValue, "selected": $0 == selected] }
    }

    /// Which form field an API error names: its first path component.
    static func fieldKey(_ field: String) -> String {
        String(field.prefix { $0 != "." && $0 != "[" })
    }

    /// (b) an uploaded Dockerfile in, the zip of the protected build context out.
    func dockerfileZip(_ s: Session, _ form: UIForm) async throws -> Response {
        let file = form.files["dockerfile"]?.bytes ?? []
        let query = UIQuery.make([
            ("appID", form["dockerAppID"]), ("consoleaddr", form["consoleaddr"]), ("entrypoint", form["entrypoint"]),
            ("startupMode", form["dockerStartupMode"]),
        ])
        let answer = await api.call(
            .post,
            "/defenders/app-embedded" + query,
            token: s.token,
            body: file,
            contentType: "text/plain; charset=utf-8",
            context: s.context
        )
        guard answer.ok else {
            return try await deploy(s, form: form, extra: ["dockerError": answer.errorMessage], status: answer.status)
        }
        let disposition = answer.headers[.contentDisposition] ?? "attachment; filename=\"app-embedded.zip\""
        return .asset(answer.body, contentType: "application/zip", headers: [.contentDisposition: disposition])
    }

    /// (c) the defender bundle for manual embedding, as `GET /defenders/bundle` serves it.
    func defenderBundle(_ s: Session) async throws -> Response {
        let answer = await api.call(.get, "/defenders/bundle", token: s.token, context: s.context)
        guard answer.ok else {
            return try await deploy(s, form: nil, extra: ["bundleError": answer.errorMessage], status: answer.status)
        }
        let disposition = answer.headers[.contentDisposition] ?? "attachment; filename=\"scute-defender.tar.gz\""
        return .asset(answer.body, contentType: "application/gzip", headers: [.contentDisposition: disposition])
    }

    /// (c) a fresh install bundle for manual embedding.
    func installBundle(_ s: Session, _ form: UIForm) async throws -> Response {
        let answer = await api.call(
            .get,
            "/defenders/install-bundle" + UIQuery.make([("consoleaddr", form["consoleaddr"])]),
            token: s.token,
            context: s.context
        )
        guard answer.ok, let bundle = answer.json?.objectValue?["installBundle"]?.stringValue else {
            return try await deploy(s, form: form, extra: ["bundleError": answer.errorMessage], status: answer.status)
        }
        return try await deploy(s, form: form, extra: ["installBundle": bundle, "hasBundle": true])
    }

    // MARK: Collections

    static let collectionLists = ["appIDs", "images", "containers", "taskFamilies", "taskIDs"]

    func collections(_ s: Session, form: UIForm?, extra: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let answer = await api.call(.get, "/collections", token: s.token, context: s.context)
        let rows: [[String: Any]] = (answer.json?.objectValue?["collections"]?.arrayValue ?? []).map { c in
            var row = (Self.mustache(c) as? [String: Any]) ?? [:]
            for key in Self.collectionLists { row[key] = (c.objectValue?[key]?.stringArrayValue ?? []).joined(separator: ", ") }
            return row
        }
        var data: [String: Any] = ["collections": rows, "hasCollections": !rows.isEmpty, "done": s.query("done")]
        for key in ["name", "description"] + Self.collectionLists { data["v_\(key)"] = form?[key] ?? "" }
        data.merge(extra) { $1 }
        return render("collections", "Manage > Collections", s, data, status: status)
    }

    func saveCollection(_ s: Session, _ form: UIForm) async throws -> Response {
        var body = JSONObject(["name": .string(form["name"].uiTrimmed())])
        if !form["description"].isEmpty { body.insert(.string(form["description"]), forKey: "description", at: body.count) }
        for key in Self.collectionLists { body.insert(.strings(form.list(key)), forKey: key, at: body.count) }
        let answer = await api.call(.post, "/collections", token: s.token, json: .object(body), context: s.context)
        guard answer.ok else { return try await collections(s, form: form, extra: Self.fieldError(answer), status: answer.status) }
        return .seeOther("/collections" + UIQuery.make([("done", "Saved collection \(form["name"])")]))
    }

    func deleteCollection(_ s: Session, _ form: UIForm) async throws -> Response {
        let answer = await api.call(.delete, "/collections/\(URLText.encode(form["name"]))", token: s.token, context: s.context)
        return .seeOther("/collections" + UIQuery.make([("done", answer.ok ? "Deleted collection \(form["name"])" : answer.errorMessage)]))
    }

    /// An API refusal for the page: the message, at the field it names (`e_<field>`) or at the top.
    static func fieldError(_ answer: UIAPIClient.Answer) -> [String: Any] {
        var out: [String: Any] = ["error": answer.errorMessage, "hasError": true]
        if let field = answer.errorField { out["e_\(fieldKey(field))"] = answer.errorMessage }
        return out
    }

    // MARK: Users and API tokens

    func users(_ s: Session, form: UIForm?, extra: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let users = await api.call(.get, "/users", token: s.token, context: s.context)
        let tokens = await api.call(.get, "/tokens", token: s.token, context: s.context)
        var data: [String: Any] = [
            "users": (users.json?.objectValue?["users"]).map(Self.mustache) ?? [],
            "tokens": (tokens.json?.objectValue?["tokens"]).map(Self.mustache) ?? [],
            "done": s.query("done"), "listError": users.ok ? "" : users.errorMessage, "v_name": form?["name"] ?? "",
            "v_tokenName": form?["tokenName"] ?? "",
        ]
        data.merge(extra) { $1 }
        return render("users", "Manage > Users and API tokens", s, data, status: status)
    }

    func createUser(_ s: Session, _ form: UIForm) async throws -> Response {
        let body: JSONValue = .object(
            JSONObject(["name": .string(form["name"]), "password": .string(form["password"]), "role": .string(form["role"])])
        )
        let answer = await api.call(.post, "/users", token: s.token, json: body, context: s.context)
        guard answer.ok else { return try await users(s, form: form, extra: Self.fieldError(answer), status: answer.status) }
        return .seeOther("/users" + UIQuery.make([("done", "Created user \(form["name"])")]))
    }

    func deleteUser(_ s: Session, _ form: UIForm) async throws -> Response {
        let answer = await api.call(.delete, "/users/\(URLText.encode(form["name"]))", token: s.token, context: s.context)
        return .seeOther("/users" + UIQuery.make([("done", answer.ok ? "Deleted user \(form["name"])" : answer.errorMessage)]))
    }

    func createToken(_ s: Session, _ form: UIForm) async throws -> Response {
        var body = JSONObject(["name": .string(form["tokenName"]), "role": .string(form["tokenRole"])])
        if let days = Int(form["expiresInDays"]) {
            body.insert(.int(days), forKey: "expiresInDays", at: 2)
        } else if !form["expiresInDays"].isEmpty {
            return try await users(s, form: form, extra: ["e_expiresInDays": "expected a whole number of days"], status: .badRequest)
        }
        let answer = await api.call(.post, "/tokens", token: s.token, json: .object(body), context: s.context)
        guard answer.ok else {
            var extra = Self.fieldError(answer)
            if let f = answer.errorField { extra["e_token_\(Self.fieldKey(f))"] = answer.errorMessage }
            return try await users(s, form: form, extra: extra, status: answer.status)
        }
        // The secret is shown once, on this answer only.
        return try await users(s, form: nil, extra: ["newToken": answer.json?.objectValue?["token"]?.stringValue ?? ""])
    }

    func deleteToken(_ s: Session, _ form: UIForm) async throws -> Response {
        let answer = await api.call(.delete, "/tokens/\(URLText.encode(form["id"]))", token: s.token, context: s.context)
        return .seeOther("/users" + UIQuery.make([("done", answer.ok ? "Deleted token \(form["id"])" : answer.errorMessage)]))
    }

    // MARK: Settings

    func settings(_ s: Session, form: UIForm?, extra: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let answer = await api.call(.get, "/settings", token: s.token, context: s.context)
        let stored = answer.json?.objectValue
        var data: [String: Any] = [
            "sans": core.identity.subjectAlternativeNames, "addresses": consoleAddresses, "done": s.query("done"),
            "defenderExpirySeconds": form?["defenderExpirySeconds"] ?? stored?["defenderExpirySeconds"]?.intValue.map(String.init) ?? "",
            "auditRetentionDays": form?["auditRetentionDays"] ?? stored?["auditRetentionDays"]?.intValue.map(String.init) ?? "",
        ]
        data.merge(extra) { $1 }
        return render("settings", "Manage > Settings", s, data, status: status)
    }

    /// Adds a SAN through the API, which reissues the server certificate.
    func addSAN(_ s: Session, _ form: UIForm) async throws -> Response {
        let name = form["name"].uiTrimmed()
        let body: JSONValue = .object(JSONObject(["name": .string(name)]))
        let answer = await api.call(.post, "/settings/sans", token: s.token, json: body, context: s.context)
        guard answer.ok else {
            var extra = Self.fieldError(answer)
            extra["v_san"] = name
            if answer.errorField == nil { extra["e_name"] = answer.errorMessage }
            return try await settings(s, form: nil, extra: extra, status: answer.status)
        }
        return .seeOther("/settings" + UIQuery.make([("done", "Added \(name): the console now presents a certificate that names it")]))
    }

    func saveSettings(_ s: Session, _ form: UIForm) async throws -> Response {
        var body = JSONObject()
        for key in ["defenderExpirySeconds", "auditRetentionDays"] {
            guard let value = Int(form[key].uiTrimmed()) else {
                return try await settings(s, form: form, extra: ["e_\(key)": "expected a whole number"], status: .badRequest)
            }
            body.insert(.int(value), forKey: key, at: body.count)
        }
        let answer = await api.call(.put, "/settings", token: s.token, json: .object(body), context: s.context)
        guard answer.ok else { return try await settings(s, form: form, extra: Self.fieldError(answer), status: answer.status) }
        return .seeOther("/settings" + UIQuery.make([("done", "Saved")]))
    }
}

/// A line diff (longest common subsequence) of what the embedding changed.
enum UIDiff {
    static func lines(from old: String, to new: String) -> [[String: Any]] {
        let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Large documents: show the new one whole rather than spend quadratic time.
        guard a.count * b.count <= 4_000_000 else { return b.map { ["line": "+ " + $0, "kind": "add"] } }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var out: [[String: Any]] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                out.append(["line": "  " + a[i], "kind": "same"])
                i += 1
                j += 1
            } else if j < b.count, i == a.count || table[i][j + 1] >= table[i + 1][j] {
                out.append(["line": "+ " + b[j], "kind": "add"])
                j += 1
            } else {
                out.append(["line": "- " + a[i], "kind": "remove"])
                i += 1
            }
        }
        return out
    }
}
