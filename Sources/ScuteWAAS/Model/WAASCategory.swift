/// The attack classes the engine reports; raw values are stable and used in policies and audits.
package enum WAASCategory: String, Sendable, CaseIterable, Codable, Hashable {
    /// SQL and NoSQL injection.
    case sqli
    /// Cross-site scripting: HTML/JS injection, dangerous URLs, script gadgets.
    case xss
    /// OS command injection: Unix and Windows shells, PowerShell, mail protocol commands.
    case cmdi
    /// Path traversal and local file inclusion, access to sensitive files and dot-directories.
    case lfi
    /// Remote file inclusion: URLs to foreign code in parameters.
    case rfi
    /// Server-side request forgery: URLs to loopback, metadata and obfuscated internal addresses.
    case ssrf
    /// PHP code injection, wrappers, object injection, script uploads.
    case php
    /// Java code injection, Log4Shell lookups, deserialization gadgets.
    case java
    /// Node.js code injection, prototype pollution, node-serialize payloads.
    case node
    /// Other code injection: Perl, Python, JavaScript gadgets, ORM filter traversal.
    case code
    /// Server-side template injection.
    case ssti
    /// Bash function-definition exploitation (CVE-2014-6271).
    case shellshock
    /// LDAP filter injection.
    case ldapi
    /// Known attack tools and vulnerability scanners.
    case scanner
    /// HTTP protocol and policy violations: methods, versions, encodings, content types, headers.
    case `protocol`
    /// Request smuggling, response splitting and header injection.
    case smuggling
    /// Session fixation: session identifiers set from another site.
    case sessionFixation = "session-fixation"

    /// A distinct bit per category, for cheap membership tests.
    var bit: UInt32 {
        switch self {
        case .sqli: 1 << 0
        case .xss: 1 << 1
        case .cmdi: 1 << 2
        case .lfi: 1 << 3
        case .rfi: 1 << 4
        case .ssrf: 1 << 5
        case .php: 1 << 6
        case .java: 1 << 7
        case .node: 1 << 8
        case .code: 1 << 9
        case .ssti: 1 << 10
        case .shellshock: 1 << 11
        case .ldapi: 1 << 12
        case .scanner: 1 << 13
        case .protocol: 1 << 14
        case .smuggling: 1 << 15
        case .sessionFixation: 1 << 16
        }
    }
}
