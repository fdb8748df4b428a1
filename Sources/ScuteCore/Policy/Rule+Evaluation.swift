/// A program about to run: the paths it is known by and its arguments.
public struct ProcessLaunch: Sendable, Equatable {
    /// The executable as the kernel runs it (`/proc/PID/exe`: symlinks resolved; the interpreter for a script).
    public var path: String
    /// Names for the same file that the app could not have chosen (a symlink in a root-owned directory,
    /// like /bin/sh for /usr/bin/dash): they count for both lists.
    public var aliases: [String]
    /// Names the app may have chosen (the path as exec'd, a script run by an interpreter, a symlink in a
    /// writable directory): they count for the denied list only, so they cannot launder a launch into the
    /// allowed list.
    public var otherPaths: [String]
    public var arguments: [String]
    /// The executable's SHA-256 (lower-case hex), when a rule with digest entries needs it; nil when it
    /// was not computed or could not be.
    public var sha256: String?

    public init(path: String, aliases: [String] = [], otherPaths: [String] = [], arguments: [String] = [], sha256: String? = nil) {
        self.path = path
        self.aliases = aliases
        self.otherPaths = otherPaths
        self.arguments = arguments
        self.sha256 = sha256
    }

    var trustedPaths: [String] { [path] + aliases.filter { $0 != path } }
    var allPaths: [String] { trustedPaths + otherPaths.filter { !trustedPaths.contains($0) } }

    /// The last path component.
    public static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

extension Wildcard {
    /// Process entries with a `/` match the full path; others match the base name.
    func matchesProcess(_ path: String) -> Bool {
        pattern.contains("/") ? matches(path) : matches(ProcessLaunch.baseName(path))
    }
}

extension Rule {
    /// Judges a process launch. A denied entry matching any of its names is a violation; with a
    /// non-empty allowed list, a launch none of whose names is allowed is one too. Miners come first.
    public func evaluate(_ launch: ProcessLaunch) -> Verdict {
        let paths = launch.allPaths
        if processes.cryptoMiners != .disable, let why = CryptoMiners.detect(paths: paths, arguments: launch.arguments) {
            return .finding(processes.cryptoMiners, rule: name, .cryptoMiner, "\(launch.path): \(why)")
        }
        guard processes.effect != .disable else { return .allow }
        for p in paths {
            if let entry = processes.denied.first(where: { $0.matchesProcess(p) }) {
                return .finding(processes.effect, rule: name, .explicitlyDeniedProcess, "\(p) is denied by entry \(entry.pattern)")
            }
        }
        if let digest = launch.sha256, processes.deniedDigests.contains(digest) {
            return .finding(processes.effect, rule: name, .explicitlyDeniedProcess, "\(launch.path) is denied by its digest sha256:\(digest)")
        }
        let trusted = launch.trustedPaths
        let hasAllowList = !processes.allowed.isEmpty || !processes.allowedDigests.isEmpty
        let allowedByName = trusted.contains(where: { p in processes.allowed.contains { $0.matchesProcess(p) } })
        let allowedByDigest = launch.sha256.map { processes.allowedDigests.contains($0) } ?? false
        if hasAllowList && !allowedByName && !allowedByDigest {
            let digest = launch.sha256.map { " (sha256:\($0))" } ?? ""
            return .finding(processes.effect, rule: name, .notAllowedProcess, "\(launch.path)\(digest) is not in the allowed list")
        }
        return .allow
    }

    /// Judges only the denied list and miners, for an early refusal of execve before the exec happens
    /// (the allowed list needs the resolved executable, which only the exec event knows).
    public func evaluateEarly(_ launch: ProcessLaunch) -> Verdict {
        let v = evaluate(launch)
        return v.attackType == .notAllowedProcess ? .allow : v
    }

    /// Judges a DNS query name.
    public func evaluate(domain: String) -> Verdict {
        guard dns.effect != .disable else { return .allow }
        let name = DomainName.normalized(domain)
        if let entry = dns.denied.first(where: { $0.matches(name) }) {
            return .finding(dns.effect, rule: self.name, .explicitlyDeniedDNS, "\(name) is denied by entry \(entry.pattern)")
        }
        if !dns.allowed.isEmpty && !dns.allowed.contains(where: { $0.matches(name) }) {
            return .finding(dns.effect, rule: self.name, .notAllowedDNS, "\(name) is not in the allowed list")
        }
        return .allow
    }

    /// Judges an outbound connection to `ip`:`port`; `domains` are names the app resolved to this address.
    public func evaluateConnection(ip: IPAddress, port: Int, domains: [String] = []) -> Verdict {
        guard network.effect != .disable else { return .allow }
        let e = network.effect
        let dest = ip.isIPv4 ? "\(ip):\(port)" : "[\(ip)]:\(port)"
        let via = domains.isEmpty ? "" : " (\(domains.joined(separator: ", ")))"
        if network.deniedIPs.contains(where: { $0.matches(ip: ip, domains: domains) }) {
            return .finding(e, rule: name, .explicitlyDeniedIP, "connection to denied address \(dest)\(via)")
        }
        if !network.allowedIPs.isEmpty && !network.allowedIPs.contains(where: { $0.matches(ip: ip, domains: domains) }) {
            return .finding(e, rule: name, .notAllowedIP, "connection to \(dest)\(via) is not in the allowed list")
        }
        if network.deniedOutboundPorts.contains(where: { $0.contains(port) }) {
            return .finding(e, rule: name, .deniedOutboundPort, "connection to denied port \(dest)\(via)")
        }
        if !network.allowedOutboundPorts.isEmpty && !network.allowedOutboundPorts.contains(where: { $0.contains(port) }) {
            return .finding(e, rule: name, .notAllowedOutboundPort, "connection to \(dest)\(via): port not in the allowed list")
        }
        return .allow
    }

    /// Judges listening on (or binding) a port.
    public func evaluateListening(port: Int) -> Verdict {
        guard network.effect != .disable else { return .allow }
        if network.deniedListeningPorts.contains(where: { $0.contains(port) }) {
            return .finding(network.effect, rule: name, .deniedListeningPort, "listening on denied port \(port)")
        }
        if !network.allowedListeningPorts.isEmpty && !network.allowedListeningPorts.contains(where: { $0.contains(port) }) {
            return .finding(network.effect, rule: name, .notAllowedListeningPort, "listening on port \(port): not in the allowed list")
        }
        return .allow
    }
}
