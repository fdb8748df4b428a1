import Crypto
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import ScuteCore
import ScuteStore

/// The console's web UI: server-rendered pages from the templates in `Resources/` (embedded in the binary),
/// with one small script and one style sheet served from `/ui/`, so the Content-Security-Policy allows nothing
/// inline. A session is the API's own login token in an HttpOnly, SameSite=Strict cookie (Secure under TLS);
/// every form carries a CSRF token derived from it. Pages read and change everything through the API
/// (`UIAPIClient`), so roles, checks and messages are the API's.
struct WebUI: Sendable {
    static let cookieName = "scute_session"

    let core: ConsoleCore
    let api: UIAPIClient
    let templates: MustacheLibrary
    let secureCookie: Bool

    /// Adds the UI's routes to `router`; `api` answers the API's routes in process.
    static func register(on router: Router<ConsoleRequestContext>, core: ConsoleCore, api: any HTTPResponder<ConsoleRequestContext>) throws {
        let ui = WebUI(
            core: core,
            api: UIAPIClient(responder: api),
            templates: try UITemplates.library(),
            secureCookie: !core.configuration.insecureHTTP
        )
        router.get("/ui/ui.css") { _, _ in Response.asset(PackageResources.ui_css, contentType: "text/css; charset=utf-8") }
        router.get("/ui/ui.js") { _, _ in Response.asset(PackageResources.ui_js, contentType: "text/javascript; charset=utf-8") }
        let icon = Array(
            ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d2330"/><path d="M4 11c2 2 8 2 8-1s-8-2-8-5 6-3 8-1" stroke="#fff" stroke-width="2" fill="none"/></svg>"##
                .utf8
        )
        router.get("/ui/favicon.svg") { _, _ in Response.asset(icon, contentType: "image/svg+xml") }
        router.get("/favicon.ico") { _, _ in Response.asset(icon, contentType: "image/svg+xml") }
        router.get("/") { request, context in
            await ui.session(request, context) == nil ? Response.seeOther("/login") : Response.seeOther("/dashboard")
        }
        router.get("/login") { request, context in
            ui.loginPage(message: request.uri.queryParameters["expired"] != nil ? "Your session has ended: log in again." : nil)
        }
        router.post("/login") { request, context in try await ui.login(request, context) }
        router.post("/logout") { request, context in
            try await ui.form(request, context) { session, _ in
                // The token is ended in the store, not only dropped from this browser: a copy of the cookie
                // is of no use after logging out.
                try await ui.core.endSession(token: session.token)
                return ui.loggedOut()
            }
        }
        ui.page(router, "/dashboard") { try await ui.dashboard($0) }
        ui.page(router, "/monitor/events") { try await ui.events($0) }
        router.get("/monitor/events.csv") { request, context in
            guard let r = await ui.session(request, context) else { return Response.seeOther("/login?expired=1") }
            return await ui.eventsCSV(r)
        }
        ui.page(router, "/monitor/events/:id") { try await ui.event($0) }
        ui.page(router, "/monitor/compliance") { try await ui.compliance($0) }
        ui.page(router, "/monitor/compliance/image") { try await ui.complianceImage($0) }
        for kind in ["compliance", "vulnerabilities"] {
            router.get("/monitor/\(kind).csv") { request, context in
                guard let r = await ui.session(request, context) else { return Response.seeOther("/login?expired=1") }
                return await ui.complianceCSV(r, kind: kind)
            }
        }
        ui.page(router, "/manage/defenders") { try await ui.defenders($0) }
        ui.action(router, "/manage/defenders/revoke") { try await ui.revokeDefender($0, $1) }
        ui.action(router, "/manage/defenders/delete") { try await ui.deleteDefender($0, $1) }
        ui.page(router, "/manage/defenders/deploy") { try await ui.deploy($0, form: nil) }
        ui.action(router, "/manage/defenders/deploy/task") { try await ui.generateTask($0, $1) }
        ui.action(router, "/manage/defenders/deploy/dockerfile") { try await ui.dockerfileZip($0, $1) }
        ui.action(router, "/manage/defenders/deploy/bundle") { try await ui.installBundle($0, $1) }
        ui.page(router, "/manage/defenders/deploy/defender-bundle") { try await ui.defenderBundle($0) }
        ui.page(router, "/defend/runtime") { try await ui.runtime($0, form: nil) }
        ui.action(router, "/defend/runtime/save") { try await ui.saveRule($0, $1) }
        ui.action(router, "/defend/runtime/delete") { try await ui.deleteRule($0, $1) }
        ui.action(router, "/defend/runtime/move") { try await ui.moveRule($0, $1) }
        ui.page(router, "/collections") { try await ui.collections($0, form: nil) }
        ui.action(router, "/collections/save") { try await ui.saveCollection($0, $1) }
        ui.action(router, "/collections/delete") { try await ui.deleteCollection($0, $1) }
        ui.page(router, "/users") { try await ui.users($0, form: nil) }
        ui.action(router, "/users/create") { try await ui.createUser($0, $1) }
        ui.action(router, "/users/delete") { try await ui.deleteUser($0, $1) }
        ui.action(router, "/tokens/create") { try await ui.createToken($0, $1) }
        ui.action(router, "/tokens/delete") { try await ui.deleteToken($0, $1) }
        ui.page(router, "/settings") { try await ui.settings($0, form: nil) }
        ui.action(router, "/settings/save") { try await ui.saveSettings($0, $1) }
        ui.action(router, "/settings/sans/add") { try await ui.addSAN($0, $1) }
    }

    // MARK: Sessions

    /// A signed-in request: who, their token, the CSRF token of their session and the query.
    struct Session: Sendable {
        var request: Request
        var context: ConsoleRequestContext
        var identity: Identity
        var token: String
        var csrf: String

        func query(_ name: String) -> String { request.uri.queryParameters[name[...]].map(String.init) ?? "" }
    }

    /// The session of the cookie, if its token is (still) valid.
    func session(_ request: Request, _ context: ConsoleRequestContext) async -> Session? {
        guard let token = request.cookies[Self.cookieName]?.value, !token.isEmpty,
            let identity = try? await core.authenticate(bearer: token), identity.source == .session
        else { return nil }
        return Session(request: request, context: context, identity: identity, token: token, csrf: Self.csrf(for: token))
    }

    /// The CSRF token of a session: an HMAC of a constant under the session's (secret, HttpOnly) token.
    static func csrf(for token: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("scute-ui-csrf".utf8), using: SymmetricKey(data: Array(token.utf8)))
        return mac.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    private func page(_ router: Router<ConsoleRequestContext>, _ path: RouterPath, _ body: @escaping @Sendable (Session) async throws -> Response) {
        router.get(path) { request, context in
            guard let session = await session(request, context) else {
                return Response.seeOther(request.cookies[Self.cookieName] == nil ? "/login" : "/login?expired=1")
            }
            return try await body(session)
        }
    }

    private func action(
        _ router: Router<ConsoleRequestContext>,
        _ path: RouterPath,
        _ body: @escaping @Sendable (Session, UIForm) async throws -> Response
    ) {
        router.post(path) { request, context in try await form(request, context, body) }
    }

    /// A form post: a valid session and the form's CSRF token, or nothing happens.
    private func form(
        _ request: Request,
        _ context: ConsoleRequestContext,
        _ body: (Session, UIForm) async throws -> Response
    ) async throws -> Response {
        guard let session = await session(request, context) else { return Response.seeOther("/login?expired=1") }
        let bytes = Array(buffer: try await request.body.collect(upTo: core.configuration.maxBodyBytes))
        guard let form = UIForm(contentType: request.headers[.contentType] ?? "", body: bytes) else {
            return Response.asset(Array("expected a form".utf8), contentType: "text/plain; charset=utf-8", status: .badRequest)
        }
        guard Secrets.constantTimeEqual(form["csrf"], session.csrf) else {
            return Response.asset(
                Array("the form is out of date: reload the page".utf8),
                contentType: "text/plain; charset=utf-8",
                status: .forbidden
            )
        }
        return try await body(session, form)
    }

    func loginPage(message: String?, user: String = "", status: HTTPResponse.Status = .ok) -> Response {
        let body = templates.render(["message": message as Any, "hasMessage": message != nil, "user": user], withTemplate: "login") ?? ""
        let html = templates.render(["title": "Log in", "body": body, "signedIn": false], withTemplate: "layout") ?? ""
        return Response.asset(Array(html.utf8), contentType: "text/html; charset=utf-8", status: status)
    }

    private func login(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let bytes = Array(buffer: try await request.body.collect(upTo: 64 * 1024))
        let form = UIForm(contentType: request.headers[.contentType] ?? "", body: bytes) ?? UIForm()
        let answer = await api.call(
            .post,
            "/authenticate",
            token: nil,
            json: .object(JSONObject(["username": .string(form["username"]), "password": .string(form["password"])])),
            context: context
        )
        guard answer.ok, let token = answer.json?.objectValue?["token"]?.stringValue else {
            return loginPage(message: answer.errorMessage, user: form["username"], status: answer.status)
        }
        var response = Response.seeOther("/dashboard")
        response.headers[.setCookie] = "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : "")
        return response
    }

    private func loggedOut() -> Response {
        var response = Response.seeOther("/login")
        response.headers[.setCookie] = "\(Self.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : "")
        return response
    }

    // MARK: Rendering

    /// The menu: sections and their pages, with the reference product's names.
    static let menu: [(section: String, title: String, path: String)] = [
        ("", "Dashboard", "/dashboard"),
        ("Monitor", "Events", "/monitor/events"),
        ("Monitor", "Compliance", "/monitor/compliance"),
        ("Manage", "Defenders", "/manage/defenders"),
        ("Manage", "Defenders > Deploy", "/manage/defenders/deploy"),
        ("Manage", "Collections", "/collections"),
        ("Manage", "Users and API tokens", "/users"),
        ("Manage", "Settings", "/settings"),
        ("Defend", "Runtime", "/defend/runtime"),
    ]

    /// A page: `template` rendered with `data`, inside the layout.
    func render(_ template: String, _ title: String, _ session: Session, _ data: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var data = data
        data["csrf"] = session.csrf
        data["user"] = session.identity.name
        data["role"] = session.identity.role.rawValue
        let body = templates.render(data, withTemplate: template) ?? ""
        // A page below a menu entry (an event, an image) marks that entry.
        let current =
            Self.menu.first { $0.title == title || "\($0.section) > \($0.title)" == title }?.path
            ?? Self.menu.first { !$0.section.isEmpty && title.hasPrefix("\($0.section) > \($0.title) > ") }?.path
        let menu: [[String: Any]] = Self.menu.map { item in
            ["label": item.section.isEmpty ? item.title : "\(item.section) > \(item.title)", "path": item.path, "current": item.path == current]
        }
        let layout: [String: Any] = [
            "title": title, "body": body, "signedIn": true, "menu": menu, "user": session.identity.name,
            "role": session.identity.role.rawValue, "csrf": session.csrf,
        ]
        let html = templates.render(layout, withTemplate: "layout") ?? ""
        var response = Response.asset(Array(html.utf8), contentType: "text/html; charset=utf-8", status: status)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// A JSON value as Mustache sees it: objects as dictionaries, arrays as arrays, numbers as their text.
    static func mustache(_ value: JSONValue) -> Any {
        switch value {
        case .object(let o):
            var out: [String: Any] = [:]
            for m in o.members { out[m.key] = mustache(m.value) }
            return out
        case .array(let a): return a.map(mustache)
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b
        case .null: return false
        }
    }
}

extension Response {
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    static func asset(_ bytes: [UInt8], contentType: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The templates, from the files embedded in the binary.
enum UITemplates {
    static func library() throws -> MustacheLibrary {
        var library = MustacheLibrary()
        let files: [(String, [UInt8])] = [
            ("layout", PackageResources.layout_mustache), ("login", PackageResources.login_mustache),
            ("dashboard", PackageResources.dashboard_mustache), ("events", PackageResources.events_mustache),
            ("compliance", PackageResources.compliance_mustache), ("event", PackageResources.event_mustache),
            ("image", PackageResources.image_mustache),
            ("defenders", PackageResources.defenders_mustache), ("deploy", PackageResources.deploy_mustache),
            ("runtime", PackageResources.runtime_mustache), ("collections", PackageResources.collections_mustache),
            ("users", PackageResources.users_mustache), ("settings", PackageResources.settings_mustache),
        ]
        for (name, bytes) in files { try library.register(String(decoding: bytes, as: UTF8.self), named: name) }
        return library
    }
}
