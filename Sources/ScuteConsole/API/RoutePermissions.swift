import HTTPTypes
import Logging

/// Who may call what: the role matrix of the API (paths as in the OpenAPI document, under /api/v1).
/// The handlers check these permissions; a test calls every operation with every role against this table.
enum RoutePermissions {
    static let table: [String: Permission] = [
        "GET /users": .administer,
        "POST /users": .administer,
        "PUT /users/{name}": .administer,
        "DELETE /users/{name}": .administer,
        "GET /tokens": .administer,
        "POST /tokens": .administer,
        "DELETE /tokens/{id}": .administer,
        "GET /collections": .read,
        "POST /collections": .writePolicy,
        "GET /collections/{name}": .read,
        "PUT /collections/{name}": .writePolicy,
        "DELETE /collections/{name}": .writePolicy,
        "GET /policies/runtime": .read,
        "POST /policies/runtime/rules": .writePolicy,
        "PUT /policies/runtime/rules/{name}": .writePolicy,
        "DELETE /policies/runtime/rules/{name}": .writePolicy,
        "PUT /policies/runtime/order": .writePolicy,
        "GET /defenders": .read,
        "GET /defenders/install-bundle": .manageDefenders,
        "POST /defenders/install-bundle/rotate": .manageDefenders,
        "POST /defenders/fargate.json": .manageDefenders,
        "POST /defenders/cloudformation": .manageDefenders,
        "POST /defenders/app-embedded": .manageDefenders,
        "POST /defenders/{id}/revoke": .manageDefenders,
        "DELETE /defenders/{id}": .manageDefenders,
        "GET /audits/runtime": .read,
        "GET /settings": .read,
        "PUT /settings": .administer,
    ]

    static func permission(_ method: HTTPRequest.Method, _ path: String) -> Permission? {
        table["\(method.rawValue) \(path)"]
    }
}
