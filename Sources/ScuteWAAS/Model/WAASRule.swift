/// A detection rule: stable ID, category and a one-line summary (the console lists these).
package struct WAASRule: Sendable, Hashable {
    package let id: String
    package let category: WAASCategory
    package let summary: String

    init(_ id: String, _ category: WAASCategory, _ summary: String) {
        self.id = id
        self.category = category
        self.summary = summary
    }
}

extension WAASRule {
    // SQL injection (tokenizer-based unless noted).
    static let sqliStringBreakout = WAASRule("sqli-101", .sqli, "input closes a quoted SQL string and continues with SQL")
    static let sqliBoolean = WAASRule("sqli-102", .sqli, "boolean or arithmetic SQL condition appended to a value")
    static let sqliUnion = WAASRule("sqli-103", .sqli, "UNION query")
    static let sqliStacked = WAASRule("sqli-104", .sqli, "stacked SQL statement after a semicolon")
    static let sqliStatement = WAASRule("sqli-105", .sqli, "complete SQL statement")
    static let sqliFunction = WAASRule("sqli-106", .sqli, "SQL function call used for blind, time-based or error-based injection")
    static let sqliComment = WAASRule("sqli-107", .sqli, "MySQL executable comment or comment-obfuscated keywords")
    static let sqliCatalog = WAASRule("sqli-108", .sqli, "database catalog, system table or procedure name")
    static let sqliCast = WAASRule("sqli-109", .sqli, "PostgreSQL cast or JSON operator")
    static let sqliNoSQL = WAASRule("sqli-110", .sqli, "NoSQL query operator in a parameter name or JSON key")
    // Cross-site scripting.
    static let xssTag = WAASRule("xss-201", .xss, "script-capable HTML tag")
    static let xssEventHandler = WAASRule("xss-202", .xss, "HTML event handler attribute")
    static let xssURLAttribute = WAASRule("xss-203", .xss, "javascript:, vbscript: or data: URL in a link attribute")
    static let xssStyle = WAASRule("xss-204", .xss, "CSS expression, binding or script URL")
    static let xssScriptURL = WAASRule("xss-205", .xss, "javascript: or vbscript: URL, possibly obfuscated")
    static let xssSink = WAASRule("xss-206", .xss, "DOM sink or script gadget (document.cookie, alert(), eval())")
    static let xssObfuscation = WAASRule("xss-207", .xss, "JavaScript obfuscation: JSFuck, global-object lookups, tagged templates")
    static let xssUTF7 = WAASRule("xss-208", .xss, "UTF-7 encoded markup")
    static let xssSplitTag = WAASRule("xss-209", .xss, "tag name split by junk characters")
    // Command injection.
    static let cmdiSeparator = WAASRule("cmdi-301", .cmdi, "shell command after a command separator")
    static let cmdiSubstitution = WAASRule("cmdi-302", .cmdi, "shell command or process substitution")
    static let cmdiEvasion = WAASRule("cmdi-303", .cmdi, "shell evasion: glob paths, quote splitting, $IFS, empty variables")
    static let cmdiWindows = WAASRule("cmdi-304", .cmdi, "Windows cmd.exe construct or utility")
    static let cmdiPowerShell = WAASRule("cmdi-305", .cmdi, "PowerShell cmdlet or download cradle")
    static let cmdiForkBomb = WAASRule("cmdi-306", .cmdi, "fork bomb or brace-expansion command")
    static let cmdiMail = WAASRule("cmdi-307", .cmdi, "SMTP, IMAP or POP3 command after a line break")
    static let cmdiCommand = WAASRule("cmdi-308", .cmdi, "unambiguous shell command with arguments")
    // Path traversal and file access.
    static let lfiTraversal = WAASRule("lfi-401", .lfi, "path traversal")
    static let lfiSensitiveFile = WAASRule("lfi-402", .lfi, "sensitive operating-system or application file")
    static let lfiSensitivePath = WAASRule("lfi-403", .lfi, "request path into a dot-directory, /proc, /sys or log file")
    static let lfiExternalEntity = WAASRule("lfi-404", .lfi, "XML external entity")
    // Remote file inclusion and SSRF.
    static let rfiIPHost = WAASRule("rfi-501", .rfi, "URL with an IP-address host in a parameter")
    static let rfiTrailingQuestion = WAASRule("rfi-502", .rfi, "URL ending in '?' to cut off a suffix")
    static let rfiScheme = WAASRule("rfi-503", .rfi, "file, FTP, gopher, LDAP, jar or other include scheme")
    static let rfiIncludeParameter = WAASRule("rfi-504", .rfi, "URL in a parameter that names a file, page or template to include")
    static let ssrfInternalHost = WAASRule("ssrf-511", .ssrf, "URL to loopback, link-local, metadata or container-internal host")
    static let ssrfObfuscatedIP = WAASRule("ssrf-512", .ssrf, "URL host as decimal, hex, octal or IPv4-mapped address")
    static let ssrfConfusingURL = WAASRule("ssrf-513", .ssrf, "URL authority built to confuse parsers")
    // PHP.
    static let phpOpenTag = WAASRule("php-601", .php, "PHP open tag")
    static let phpWrapper = WAASRule("php-602", .php, "PHP stream wrapper")
    static let phpFunction = WAASRule("php-603", .php, "dangerous PHP function call")
    static let phpVariable = WAASRule("php-604", .php, "PHP superglobal")
    static let phpObject = WAASRule("php-605", .php, "serialized PHP object")
    static let phpConfig = WAASRule("php-606", .php, "PHP configuration directive")
    static let phpVariableCall = WAASRule("php-607", .php, "PHP variable-function call")
    static let phpUpload = WAASRule("php-608", .php, "PHP script or session file upload")
    // Java.
    static let javaClass = WAASRule("java-701", .java, "Java process, reflection or I/O class name")
    static let javaGadget = WAASRule("java-702", .java, "Java deserialization gadget")
    static let javaLog4Shell = WAASRule("java-703", .java, "Log4j lookup (Log4Shell), including nested obfuscation")
    static let javaSerialized = WAASRule("java-704", .java, "serialized Java object or base64-encoded gadget")
    static let javaExpression = WAASRule("java-705", .java, "OGNL, Spring or EL expression")
    static let javaUpload = WAASRule("java-706", .java, "JSP upload")
    // Node.js and other code.
    static let nodeCode = WAASRule("node-801", .node, "Node.js child_process, require or process access")
    static let nodePrototype = WAASRule("node-802", .node, "prototype pollution")
    static let nodeSerialize = WAASRule("node-803", .node, "node-serialize function marker")
    static let codePerl = WAASRule("code-851", .code, "Perl interpolation")
    static let codeORM = WAASRule("code-852", .code, "ORM filter relation traversal")
    static let codeLoop = WAASRule("code-853", .code, "infinite loop (denial of service)")
    static let codePython = WAASRule("code-854", .code, "Python code execution")
    static let codeBase64 = WAASRule("code-855", .code, "base64-encoded code payload")
    static let ssti = WAASRule("ssti-901", .ssti, "template expression that computes or reaches objects")
    static let shellshock = WAASRule("shellshock-911", .shellshock, "bash function definition")
    static let ldapi = WAASRule("ldapi-921", .ldapi, "LDAP filter injection")
    static let scannerAgent = WAASRule("scanner-931", .scanner, "security scanner or attack tool user agent")
    // Protocol and policy.
    static let methodNotAllowed = WAASRule("protocol-1001", .protocol, "method not allowed by policy")
    static let invalidRequestLine = WAASRule("protocol-1002", .protocol, "invalid method or request target")
    static let versionNotAllowed = WAASRule("protocol-1003", .protocol, "HTTP version not allowed")
    static let bodyOnGet = WAASRule("protocol-1004", .protocol, "GET or HEAD request with a body")
    static let contentLength = WAASRule("protocol-1005", .protocol, "missing or invalid Content-Length, or body without Content-Type")
    static let contentType = WAASRule("protocol-1006", .protocol, "content type not allowed")
    static let charset = WAASRule("protocol-1007", .protocol, "charset not allowed, or several charsets")
    static let contentTypeSyntax = WAASRule("protocol-1008", .protocol, "malformed content type or MIME confusion")
    static let urlEncoding = WAASRule("protocol-1009", .protocol, "invalid URL encoding")
    static let utf8 = WAASRule("protocol-1010", .protocol, "invalid or overlong UTF-8")
    static let percentU = WAASRule("protocol-1011", .protocol, "%u (IIS) encoding")
    static let nul = WAASRule("protocol-1012", .protocol, "NUL byte")
    static let doubleEncoding = WAASRule("protocol-1013", .protocol, "double URL encoding")
    static let extensionRestricted = WAASRule("protocol-1014", .protocol, "restricted file extension")
    static let headerRestricted = WAASRule("protocol-1015", .protocol, "restricted request header")
    static let host = WAASRule("protocol-1016", .protocol, "missing, empty or repeated Host")
    static let numericHost = WAASRule("protocol-1026", .protocol, "numeric Host (a load balancer's health check sends one)")
    static let emptyHeader = WAASRule("protocol-1017", .protocol, "empty User-Agent or Accept")
    static let range = WAASRule("protocol-1018", .protocol, "Range header abuse")
    static let headerSyntax = WAASRule("protocol-1019", .protocol, "invalid Connection, Cache-Control, Accept-Encoding or Accept")
    static let methodOverride = WAASRule("protocol-1020", .protocol, "method override parameter")
    static let bodyParse = WAASRule("protocol-1021", .protocol, "body does not parse as its content type")
    static let multipart = WAASRule("protocol-1022", .protocol, "multipart evasion (names, file names, charsets, encodings)")
    static let backupFile = WAASRule("protocol-1023", .protocol, "backup or editor file in the path")
    static let limits = WAASRule("protocol-1024", .protocol, "too many inputs or too much nesting")
    static let parameterSyntax = WAASRule("protocol-1025", .protocol, "parameter name syntax abuse")
    // Smuggling and splitting.
    static let smugglingCLTE = WAASRule("smuggling-1101", .smuggling, "both Content-Length and Transfer-Encoding")
    static let smugglingCL = WAASRule("smuggling-1102", .smuggling, "several or malformed Content-Length values")
    static let smugglingTE = WAASRule("smuggling-1103", .smuggling, "transfer coding other than plain chunked")
    static let smugglingChunks = WAASRule("smuggling-1104", .smuggling, "malformed chunked body")
    static let smugglingHeader = WAASRule("smuggling-1105", .smuggling, "CR, LF or NUL in a header")
    static let smugglingSplitting = WAASRule("smuggling-1106", .smuggling, "response splitting or header injection in an input")
    static let smugglingRequestLine = WAASRule("smuggling-1107", .smuggling, "embedded HTTP request line")
    static let smugglingUnixSocket = WAASRule("smuggling-1108", .smuggling, "proxy unix-socket target (mod_proxy)")
    // Session fixation.
    static let sessionFixation = WAASRule("session-fixation-1201", .sessionFixation, "session identifier parameter from another site")
    static let sessionCookieSetting = WAASRule("session-fixation-1202", .sessionFixation, "markup or script that sets a cookie")

    /// Rules that alone never block: they are recorded with the effect `alert` and raise a request's effect only
    /// together with another finding. A numeric Host is what load balancers' health checks send, and a missing
    /// User-Agent or Accept is common from scripts; both are weak signals (anomaly-scored below blocking by CRS
    /// at paranoia level 1 too).
    package static let noticeRuleIDs: Set<String> = [numericHost.id, emptyHeader.id]

    /// Every rule, for documentation and policy editors.
    package static let catalog: [WAASRule] = [
        sqliStringBreakout, sqliBoolean, sqliUnion, sqliStacked, sqliStatement, sqliFunction, sqliComment, sqliCatalog, sqliCast, sqliNoSQL,
        xssTag, xssEventHandler, xssURLAttribute, xssStyle, xssScriptURL, xssSink, xssObfuscation, xssUTF7, xssSplitTag,
        cmdiSeparator, cmdiSubstitution, cmdiEvasion, cmdiWindows, cmdiPowerShell, cmdiForkBomb, cmdiMail, cmdiCommand,
        lfiTraversal, lfiSensitiveFile, lfiSensitivePath, lfiExternalEntity,
        rfiIPHost, rfiTrailingQuestion, rfiScheme, rfiIncludeParameter, ssrfInternalHost, ssrfObfuscatedIP, ssrfConfusingURL,
        phpOpenTag, phpWrapper, phpFunction, phpVariable, phpObject, phpConfig, phpVariableCall, phpUpload,
        javaClass, javaGadget, javaLog4Shell, javaSerialized, javaExpression, javaUpload,
        nodeCode, nodePrototype, nodeSerialize, codePerl, codeORM, codeLoop, codePython, codeBase64, ssti, shellshock, ldapi, scannerAgent,
        methodNotAllowed, invalidRequestLine, versionNotAllowed, bodyOnGet, contentLength, contentType, charset, contentTypeSyntax,
        urlEncoding, utf8, percentU, nul, doubleEncoding, extensionRestricted, headerRestricted, host, numericHost, emptyHeader, range,
        headerSyntax, methodOverride, bodyParse, multipart, backupFile, limits, parameterSyntax,
        smugglingCLTE, smugglingCL, smugglingTE, smugglingChunks, smugglingHeader, smugglingSplitting, smugglingRequestLine,
        smugglingUnixSocket, sessionFixation, sessionCookieSetting,
    ]
}
