/// Who may call what: the role matrix of the API, by the OpenAPI document's operation IDs.
/// `APIGuard` applies it before any handler runs; an operation missing here is refused (fail closed).
/// A test calls every operation of the document with every role against this table.
enum RoutePermissions {
    enum Access: Sendable, Equatable {
        /// No token needed.
        case open
        case role(Permission)
    }

    static let table: [String: Access] = [
        "authenticate": .open,  // POST /authenticate
        "health": .open,  // GET /health
        "listUsers": .role(.administer),  // GET /users
        "createUser": .role(.administer),  // POST /users
        "updateUser": .role(.administer),  // PUT /users/{name}
        "deleteUser": .role(.administer),  // DELETE /users/{name}
        "listTokens": .role(.administer),  // GET /tokens
        "createToken": .role(.administer),  // POST /tokens
        "deleteToken": .role(.administer),  // DELETE /tokens/{id}
        "listCollections": .role(.read),  // GET /collections
        "createCollection": .role(.writePolicy),  // POST /collections
        "getCollection": .role(.read),  // GET /collections/{name}
        "updateCollection": .role(.writePolicy),  // PUT /collections/{name}
        "deleteCollection": .role(.writePolicy),  // DELETE /collections/{name}
        "getRuntimePolicy": .role(.read),  // GET /policies/runtime
        "createRule": .role(.writePolicy),  // POST /policies/runtime/rules
        "updateRule": .role(.writePolicy),  // PUT /policies/runtime/rules/{name}
        "deleteRule": .role(.writePolicy),  // DELETE /policies/runtime/rules/{name}
        "reorderRules": .role(.writePolicy),  // PUT /policies/runtime/order
        "listDefenders": .role(.read),  // GET /defenders
        "downloadDefenderBundle": .role(.manageDefenders),  // GET /defenders/bundle
        "getInstallBundle": .role(.manageDefenders),  // GET /defenders/install-bundle
        "rotateDefenderTokens": .role(.manageDefenders),  // POST /defenders/install-bundle/rotate
        "embedTaskDefinition": .role(.manageDefenders),  // POST /defenders/fargate.json
        "embedCloudFormation": .role(.manageDefenders),  // POST /defenders/cloudformation
        "embedDockerfile": .role(.manageDefenders),  // POST /defenders/app-embedded
        "revokeDefender": .role(.manageDefenders),  // POST /defenders/{id}/revoke
        "deleteDefender": .role(.manageDefenders),  // DELETE /defenders/{id}
        "listRuntimeAudits": .role(.read),  // GET /audits/runtime
        "listComplianceResults": .role(.read),  // GET /compliance/results
        "listCustomChecks": .role(.read),  // GET /compliance/custom-checks
        "createCustomCheck": .role(.writePolicy),  // POST /compliance/custom-checks
        "getCustomCheck": .role(.read),  // GET /compliance/custom-checks/{id}
        "updateCustomCheck": .role(.writePolicy),  // PUT /compliance/custom-checks/{id}
        "deleteCustomCheck": .role(.writePolicy),  // DELETE /compliance/custom-checks/{id}
        "getComplianceRules": .role(.read),  // GET /compliance/rules
        "replaceComplianceRules": .role(.writePolicy),  // PUT /compliance/rules
        "listVulnerabilityResults": .role(.read),  // GET /vulnerabilities/results
        "getAdvisorySummary": .role(.read),  // GET /advisories/summary
        "getSettings": .role(.read),  // GET /settings
        "updateSettings": .role(.administer),  // PUT /settings
        "getSubjectAlternativeNames": .role(.read),  // GET /settings/sans
        "addSubjectAlternativeName": .role(.administer),  // POST /settings/sans
    ]

    static func access(_ operationID: String) -> Access? { table[operationID] }
}
