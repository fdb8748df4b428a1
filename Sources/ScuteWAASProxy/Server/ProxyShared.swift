import Logging
import NIOCore
import ScuteWAAS

/// What every connection handler shares: the engine, policy, event sink, ban table, bounds and upstream pools.
final class ProxyShared: Sendable {
    let engine: WAASEngine
    let policy: WAASPolicy
    let effects: [WAASCategory: WAASEffect]
    let sink: any WAASEventSink
    let bans: BanTable
    let limits: WAASProxyLimits
    let pools: UpstreamPools
    let logger: Logger

    init(configuration: WAASProxyConfiguration, sink: any WAASEventSink, pools: UpstreamPools, logger: Logger) {
        policy = configuration.policy
        engine = WAASEngine(configuration: configuration.policy.engineConfiguration)
        var effects: [WAASCategory: WAASEffect] = [:]
        for category in WAASCategory.allCases { effects[category] = configuration.policy.effect(for: category) }
        self.effects = effects
        self.sink = sink
        bans = BanTable(capacity: configuration.limits.banTableCapacity)
        limits = configuration.limits
        self.pools = pools
        self.logger = logger
    }

    /// Inspects a request; records one event per finding and bans when a finding's effect says so.
    func judge(_ request: HTTPRequest, clientIP: String, host: String) -> Verdict {
        let findings = engine.inspect(request)
        guard !findings.isEmpty else { return .allow }
        var effect = WAASEffect.alert
        for finding in findings where !WAASRule.noticeRuleIDs.contains(finding.ruleID) {
            effect = max(effect, effects[finding.category] ?? .alert)
        }
        let eventID = EventStamp.newEventID()
        let time = EventStamp.now()
        let path = String(request.target.prefix { $0 != "?" && $0 != "#" })
        let events = findings.map { finding in
            WAASEvent(
                time: time,
                eventID: eventID,
                clientIP: clientIP,
                method: request.method,
                path: path,
                host: host,
                category: finding.category,
                ruleID: finding.ruleID,
                location: finding.location,
                excerpt: finding.excerpt,
                effect: effect
            )
        }
        sink.record(events)
        if effect == .ban {
            let now = NIODeadline.now()
            bans.ban(clientIP, until: now + .seconds(Int64(policy.banSeconds)), now: now)
        }
        return effect.blocks ? .block(eventID: eventID) : .allow
    }
}

/// The outcome of inspecting one request.
enum Verdict: Equatable {
    case allow
    case block(eventID: String)
}
