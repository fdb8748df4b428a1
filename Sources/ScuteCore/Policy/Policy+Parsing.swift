extension Policy {
    /// Parses a policy from JSON text. Unknown keys are errors: a misspelt `denyed` must not silently
    /// leave an app unprotected.
    public static func parse(json text: String) throws(PolicyError) -> Policy {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw .syntax(error.description)
        }
        return try Policy(json: value)
    }

    /// Parses a policy file: JSON, or YAML (the subset `PolicyYAML` reads) when it does not start with `{`.
    public static func parse(text: String) throws(PolicyError) -> Policy {
        let first = text.unicodeScalars.first { !" \t\r\n\u{FEFF}".unicodeScalars.contains($0) }
        if first == "{" { return try parse(json: text) }
        let value: JSONValue
        do {
            value = try PolicyYAML.parse(text)
        } catch {
            throw .yamlSyntax(error.description)
        }
        return try Policy(json: value)
    }

    /// Reads a policy from a parsed JSON document.
    public init(json: JSONValue) throws(PolicyError) {
        let root = try FieldReader(json, path: "policy")
        try root.onlyKeys(["rules"])
        var rules: [Rule] = []
        for (i, r) in try root.array("rules", required: true).enumerated() {
            rules.append(try Rule(json: r, path: "rules[\(i)]"))
        }
        self.init(rules: rules)
    }
}

extension Rule {
    init(json: JSONValue, path: String) throws(PolicyError) {
        let r = try FieldReader(json, path: path)
        try r.onlyKeys(["name", "collections", "processes", "dns", "network"])
        let name = try r.string("name") ?? ""
        var collections: [Collection] = []
        for (i, c) in try r.array("collections").enumerated() {
            let cr = try FieldReader(c, path: "\(path).collections[\(i)]")
            try cr.onlyKeys(["name", "appIDs", "images", "containers", "taskFamilies", "taskIDs"])
            collections.append(
                Collection(
                    appIDs: try cr.strings("appIDs"),
                    images: try cr.strings("images"),
                    containers: try cr.strings("containers"),
                    taskFamilies: try cr.strings("taskFamilies"),
                    taskIDs: try cr.strings("taskIDs")
                )
            )
        }
        var processes = ProcessRules()
        if let p = try r.optionalObject("processes") {
            try p.onlyKeys(["effect", "allowed", "denied", "cryptoMiners", "modifiedBinaries"])
            let allowed = try p.nonEmptyStrings("allowed")
            let denied = try p.nonEmptyStrings("denied")
            try p.checkHashes("allowed", allowed)
            try p.checkHashes("denied", denied)
            processes = ProcessRules(
                effect: try p.effect("effect") ?? .alert,
                allowed: allowed,
                denied: denied,
                cryptoMiners: try p.effect("cryptoMiners") ?? .alert,
                modifiedBinaries: try p.effect("modifiedBinaries") ?? .alert
            )
        }
        var dns = DNSRules()
        if let d = try r.optionalObject("dns") {
            try d.onlyKeys(["effect", "allowed", "denied"])
            let allowed = try d.nonEmptyStrings("allowed")
            let denied = try d.nonEmptyStrings("denied")
            try d.checkDomains("allowed", allowed)
            try d.checkDomains("denied", denied)
            dns = DNSRules(effect: try d.effect("effect") ?? .alert, allowed: allowed, denied: denied)
        }
        var network = NetworkRules()
        if let n = try r.optionalObject("network") {
            try n.onlyKeys([
                "effect", "allowedIPs", "deniedIPs", "allowedOutboundPorts", "deniedOutboundPorts",
                "allowedListeningPorts", "deniedListeningPorts",
            ])
            network = NetworkRules(
                effect: try n.effect("effect") ?? .alert,
                allowedIPs: try n.networkEntries("allowedIPs"),
                deniedIPs: try n.networkEntries("deniedIPs"),
                allowedOutboundPorts: try n.ports("allowedOutboundPorts"),
                deniedOutboundPorts: try n.ports("deniedOutboundPorts"),
                allowedListeningPorts: try n.ports("allowedListeningPorts"),
                deniedListeningPorts: try n.ports("deniedListeningPorts")
            )
        }
        self.init(name: name, collections: collections, processes: processes, dns: dns, network: network)
    }
}

/// Reads typed fields of one JSON object, building error paths as it goes.
private struct FieldReader {
    let object: JSONObject
    let path: String

    init(_ value: JSONValue, path: String) throws(PolicyError) {
        guard let o = value.objectValue else { throw .field(path, "expected an object, found \(value.typeName)") }
        self.object = o
        self.path = path
    }

    func sub(_ key: String) -> String { "\(path).\(key)" }

    func onlyKeys(_ known: Set<String>) throws(PolicyError) {
        for key in object.keys where !known.contains(key) {
            throw .field(sub(key), "unknown field (expected one of \(known.sorted().joined(separator: ", ")))")
        }
    }

    func string(_ key: String) throws(PolicyError) -> String? {
        guard let v = object[key], v != .null else { return nil }
        guard let s = v.stringValue else { throw .field(sub(key), "expected a string, found \(v.typeName)") }
        return s
    }

    func array(_ key: String, required: Bool = false) throws(PolicyError) -> [JSONValue] {
        guard let v = object[key], v != .null else {
            if required { throw .field(sub(key), "missing") }
            return []
        }
        guard let a = v.arrayValue else { throw .field(sub(key), "expected an array, found \(v.typeName)") }
        return a
    }

    func optionalObject(_ key: String) throws(PolicyError) -> FieldReader? {
        guard let v = object[key], v != .null else { return nil }
        return try FieldReader(v, path: sub(key))
    }

    func strings(_ key: String) throws(PolicyError) -> [String] {
        var out: [String] = []
        for (i, v) in try array(key).enumerated() {
            guard let s = v.stringValue else { throw .field("\(sub(key))[\(i)]", "expected a string, found \(v.typeName)") }
            out.append(s)
        }
        return out
    }

    func nonEmptyStrings(_ key: String) throws(PolicyError) -> [String] {
        let list = try strings(key)
        if let i = list.firstIndex(where: { $0.isEmpty }) { throw .field("\(sub(key))[\(i)]", "empty entry") }
        return list
    }

    func effect(_ key: String) throws(PolicyError) -> Effect? {
        guard let v = object[key], v != .null else { return nil }
        guard let s = v.stringValue, let e = Effect(rawValue: s) else {
            throw .field(sub(key), "expected one of disable, alert, prevent")
        }
        return e
    }

    /// Process entries of the form `sha256:HEX` must carry a whole SHA-256 digest.
    func checkHashes(_ key: String, _ list: [String]) throws(PolicyError) {
        for (i, e) in list.enumerated() where e.lowercased().hasPrefix(ProcessRules.hashPrefix) {
            guard ProcessRules.digest(of: e) != nil else {
                throw .field("\(sub(key))[\(i)]", "expected sha256: followed by 64 hexadecimal digits")
            }
        }
    }

    func checkDomains(_ key: String, _ list: [String]) throws(PolicyError) {
        for (i, d) in list.enumerated() where !DomainName.isPlausiblePattern(d) {
            throw .field("\(sub(key))[\(i)]", "not a domain name or pattern: \(d)")
        }
    }

    func networkEntries(_ key: String) throws(PolicyError) -> [NetworkEntry] {
        var out: [NetworkEntry] = []
        for (i, s) in try nonEmptyStrings(key).enumerated() {
            guard let e = NetworkEntry(s) else {
                throw .field("\(sub(key))[\(i)]", "expected an IP address, a CIDR block or a domain name: \(s)")
            }
            out.append(e)
        }
        return out
    }

    func ports(_ key: String) throws(PolicyError) -> [PortRange] {
        var out: [PortRange] = []
        for (i, v) in try array(key).enumerated() {
            let p = "\(sub(key))[\(i)]"
            func port(_ v: JSONValue?, _ field: String) throws(PolicyError) -> Int {
                guard let v else { throw .field(field, "missing") }
                guard let n = v.intValue, n >= 0, n <= 65535 else { throw .field(field, "expected a port number 0-65535") }
                return n
            }
            if v.objectValue == nil {
                let n = try port(v, p)
                out.append(PortRange(n))
                continue
            }
            let r = try FieldReader(v, path: p)
            try r.onlyKeys(["start", "end"])
            let start = try port(r.object["start"], r.sub("start"))
            let end = r.object["end"] == nil ? start : try port(r.object["end"], r.sub("end"))
            guard start <= end else { throw .field(r.sub("end"), "end \(end) is before start \(start)") }
            out.append(PortRange(start: start, end: end))
        }
        return out
    }
}
