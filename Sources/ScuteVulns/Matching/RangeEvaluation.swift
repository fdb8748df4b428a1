/// OSV's evaluation of one affected entry for one installed version (the schema's `IsVulnerable` pseudocode).
enum RangeEvaluation {
    enum Outcome: Equatable {
        case notAffected
        /// Affected; `fixed` is the smallest `fixed` event above the installed version in the ranges that matched.
        case affected(fixed: String?)
        /// A range could not be read: an event version is not valid in the range's ordering.
        case unreadable(version: String)
    }

    /// An installed version parsed once under its family's ordering, evaluated against many entries.
    struct Installed {
        private enum Parsed {
            case debian(DebianVersion)
            case alpine(AlpineVersion)
            case rpm(RPMVersion)
            case pep440(PEP440Version)
            case semver(SemanticVersion)
            case maven(MavenVersion)
            case rubygems(RubyGemsVersion)
        }

        let text: String
        let scheme: VersionScheme
        private let parsed: Parsed
        /// The same version under SemVer, for a `SEMVER` range in a family with another ordering.
        private let semver: SemanticVersion?

        /// Nil when `text` is not a valid version of `scheme`.
        init?(_ text: String, scheme: VersionScheme) {
            let parsed: Parsed?
            switch scheme {
            case .debian: parsed = DebianVersion(text).map(Parsed.debian)
            case .alpine: parsed = AlpineVersion(text).map(Parsed.alpine)
            case .rpm: parsed = RPMVersion(text).map(Parsed.rpm)
            case .pep440: parsed = PEP440Version(text).map(Parsed.pep440)
            case .semver: parsed = SemanticVersion(text).map(Parsed.semver)
            case .maven: parsed = MavenVersion(text).map(Parsed.maven)
            case .rubygems: parsed = RubyGemsVersion(text).map(Parsed.rubygems)
            }
            guard let parsed else { return nil }
            self.text = text
            self.scheme = scheme
            self.parsed = parsed
            self.semver = scheme == .semver ? nil : SemanticVersion(text)
        }

        /// OSV's verdict for `range`: `ECOSYSTEM` ranges under the family's ordering, `SEMVER` ranges under SemVer.
        func evaluate(_ range: OSVRange) -> Outcome {
            if range.type == "SEMVER" {
                if case .semver(let version) = parsed { return RangeEvaluation.evaluate(range, version) }
                guard let semver else { return .unreadable(version: text) }
                return RangeEvaluation.evaluate(range, semver)
            }
            switch parsed {
            case .debian(let version): return RangeEvaluation.evaluate(range, version)
            case .alpine(let version): return RangeEvaluation.evaluate(range, version)
            case .rpm(let version): return RangeEvaluation.evaluate(range, version)
            case .pep440(let version): return RangeEvaluation.evaluate(range, version)
            case .semver(let version): return RangeEvaluation.evaluate(range, version)
            case .maven(let version): return RangeEvaluation.evaluate(range, version)
            case .rubygems(let version): return RangeEvaluation.evaluate(range, version)
            }
        }
    }

    /// Evaluates `entry` for `installed`: in its `versions` list, or inside one of its ranges. `GIT` ranges and
    /// types Scute does not know are ignored; `SEMVER` ranges use SemVer whatever the family.
    static func evaluate(_ entry: OSVAffected, installed: String, scheme: VersionScheme) -> Outcome {
        guard let version = Installed(installed, scheme: scheme) else { return .unreadable(version: installed) }
        return evaluate(entry, installed: version)
    }

    static func evaluate(_ entry: OSVAffected, installed: Installed) -> Outcome {
        let scheme = installed.scheme
        var unreadable: String?
        var affected = false
        var fixed: String?
        for range in entry.ranges where range.type == "ECOSYSTEM" || range.type == "SEMVER" {
            switch installed.evaluate(range) {
            case .notAffected: continue
            case .unreadable(let version): unreadable = unreadable ?? version
            case .affected(let rangeFixed):
                fixed = affected ? smaller(fixed, rangeFixed, scheme: range.type == "SEMVER" ? .semver : scheme) : rangeFixed
                affected = true
            }
        }
        if affected { return .affected(fixed: fixed) }
        if entry.versions.contains(where: { scheme.equal($0, installed.text) }) {
            return .affected(fixed: smallestFixed(in: entry, above: installed.text, scheme: scheme))
        }
        if let unreadable { return .unreadable(version: unreadable) }
        return .notAffected
    }

    /// When both name a fix, the smaller one; a missing fix does not hide another's.
    static func smaller(_ a: String?, _ b: String?, scheme: VersionScheme) -> String? {
        guard let a else { return b }
        guard let b else { return a }
        return (scheme.compare(b, a) ?? 0) < 0 ? b : a
    }

    /// For a match by the `versions` list: the smallest `fixed` event above the installed version in any range.
    private static func smallestFixed(in entry: OSVAffected, above installed: String, scheme: VersionScheme) -> String? {
        var best: String?
        for range in entry.ranges where range.type == "ECOSYSTEM" || range.type == "SEMVER" {
            let rangeScheme = range.type == "SEMVER" ? VersionScheme.semver : scheme
            for event in range.events where event.kind == .fixed && (rangeScheme.compare(event.version, installed) ?? 0) > 0 {
                best = smaller(best, event.version, scheme: rangeScheme)
            }
        }
        return best
    }

    static func evaluate(_ range: OSVRange, installed: String, scheme: VersionScheme) -> Outcome {
        guard let version = Installed(installed, scheme: scheme) else { return .unreadable(version: installed) }
        return version.evaluate(range)
    }

    /// Whether `left` sorts strictly before `right`: `introduced: "0"` before everything, `limit: "*"` after.
    private static func precedes<V>(_ left: Event<V>, _ right: Event<V>) -> Bool {
        switch (left.version, right.version) {
        case (nil, nil): left.kind == .introduced && right.kind != .introduced
        case (nil, _): left.kind == .introduced
        case (_, nil): right.kind != .introduced
        case (let a?, let b?): a < b
        }
    }

    /// Most records list their events in order already (OSV recommends it); then no sort is needed.
    private static func isSorted<V>(_ events: [Event<V>]) -> Bool {
        for index in events.indices.dropFirst() where precedes(events[index], events[index - 1]) { return false }
        return true
    }

    /// An event with its version parsed; nil stands for `introduced: "0"` (before everything) and `limit: "*"`.
    private struct Event<V: EcosystemVersion> {
        let kind: OSVEvent.Kind
        let version: V?
        let text: String
    }

    private static func evaluate<V: EcosystemVersion>(_ range: OSVRange, _ installed: V) -> Outcome {
        var events: [Event<V>] = []
        events.reserveCapacity(range.events.count)
        for event in range.events {
            if (event.kind == .introduced && event.version == "0") || (event.kind == .limit && event.version.contains("*")) {
                events.append(Event(kind: event.kind, version: nil, text: event.version))
                continue
            }
            guard let version = V(event.version) else { return .unreadable(version: event.version) }
            events.append(Event(kind: event.kind, version: version, text: event.version))
        }
        var hasLimit = false
        var belowALimit = false
        for event in events where event.kind == .limit {
            hasLimit = true
            if event.version.map({ installed < $0 }) ?? true { belowALimit = true }
        }
        if hasLimit && !belowALimit { return .notAffected }
        var vulnerable = false
        func apply(_ event: Event<V>) {
            switch event.kind {
            case .introduced:
                if event.version.map({ installed >= $0 }) ?? true { vulnerable = true }
            case .fixed:
                if let version = event.version, installed >= version { vulnerable = false }
            case .lastAffected:
                if let version = event.version, installed > version { vulnerable = false }
            case .limit:
                break
            }
        }
        if Self.isSorted(events) {
            for event in events { apply(event) }
        } else {
            // Sorted by version, `introduced: "0"` first; ties keep the record's order.
            let sorted = events.enumerated().sorted { left, right in
                Self.precedes(left.element, right.element) || (!Self.precedes(right.element, left.element) && left.offset < right.offset)
            }
            for (_, event) in sorted { apply(event) }
        }
        guard vulnerable else { return .notAffected }
        var fixed: Event<V>?
        for event in events where event.kind == .fixed {
            guard let version = event.version, installed < version else { continue }
            if let best = fixed?.version, !(version < best) { continue }
            fixed = event
        }
        return .affected(fixed: fixed?.text)
    }
}
