import Foundation
import Logging
import NIOCore
import ScuteCore
import ScuteEmbed
import ScuteRelay
import ScuteWAAS
import ScuteWAASProxy
import Synchronization

/// The web application firewall the sidecar runs when the embed asked for one (SCUTE_WAAS=CONTAINER=EXTERNAL:APP,...):
/// one proxy per binding, on 0.0.0.0:EXTERNAL in front of 127.0.0.1:APP (one network namespace per awsvpc task).
/// SCUTE_WAAS_EFFECT sets every category's effect; SCUTE_WAAS_POLICY (inline JSON) or SCUTE_WAAS_POLICY_FILE
/// gives a whole policy (docs/waas.md).
enum SidecarWAAS {
    /// The bindings and policy the environment asks for; empty without SCUTE_WAAS. The error names the variable.
    static func configurations(_ env: [String: String]) throws -> [(WAASBinding, WAASProxyConfiguration)] {
        guard let text = env["SCUTE_WAAS"], !text.isEmpty else { return [] }
        let bindings: [WAASBinding]
        do {
            bindings = try WAASBinding.parseList(text)
        } catch {
            throw CLIError("SCUTE_WAAS: \(error.message)")
        }
        var policy = WAASPolicy()
        do {
            if let inline = env["SCUTE_WAAS_POLICY"], !inline.isEmpty {
                policy = try WAASPolicy(json: Array(inline.utf8))
            } else if let path = env["SCUTE_WAAS_POLICY_FILE"], !path.isEmpty {
                policy = try WAASPolicy(json: try FileIO.readBytes(path))
            }
        } catch let error as WAASPolicyError {
            throw CLIError("SCUTE_WAAS_POLICY: \(error.message)")
        }
        if let name = env["SCUTE_WAAS_EFFECT"], !name.isEmpty {
            guard let effect = WAASEffect(rawValue: name) else {
                throw CLIError("SCUTE_WAAS_EFFECT: expected one of \(WAASEmbedEffect.names.joined(separator: ", ")), found \(name)")
            }
            policy = policy.overriding(effect: effect)
        }
        return bindings.map { b in
            (b, WAASProxyConfiguration(listenHost: "0.0.0.0", listenPort: b.externalPort, appHost: "127.0.0.1", appPort: b.appPort, policy: policy))
        }
    }

    /// Starts the proxies; events go to standard output (the task's log) and, through the relay, to the console.
    static func start(_ env: [String: String], relay: Relay?, logger: Logger) async throws -> [WAASProxy] {
        var proxies: [WAASProxy] = []
        for (binding, configuration) in try configurations(env) {
            let sink = RelayedWAASEvents(container: binding.container, relay: relay)
            do {
                proxies.append(try await WAASProxy.start(configuration: configuration, eventSink: sink, logger: logger))
            } catch let error as WAASProxyError {
                for p in proxies { await p.shutdown(grace: .seconds(1)) }
                throw CLIError("waas \(binding.text): \(error.message)")
            }
            FileIO.printError("scute sidecar: waas for \(binding.container) on port \(binding.externalPort), app at 127.0.0.1:\(binding.appPort)")
        }
        return proxies
    }
}

/// WAAS events as runtime audits of type `waas`: printed as JSON lines, and filed on the console channel of a
/// defender in the container the firewall protects. Until one has connected they wait in memory (at most
/// `maxPending`; beyond that the oldest go, and the count is logged).
final class RelayedWAASEvents: WAASEventSink {
    static let maxPending = 10_000
    private let container: String
    private let relay: Relay?
    private let lines = JSONLinesEventSink()
    private let pending = Mutex<(events: [JSONValue], dropped: Int)>(([], 0))

    init(container: String, relay: Relay?) {
        self.container = container
        self.relay = relay
    }

    func record(_ events: [WAASEvent]) {
        lines.record(events)
        guard let relay else { return }
        let audits = events.enumerated().map { Self.audit($1, index: $0) }
        let batch = pending.withLock { p -> [JSONValue] in
            p.events.append(contentsOf: audits)
            if p.events.count > Self.maxPending {
                p.dropped += p.events.count - Self.maxPending
                p.events.removeFirst(p.events.count - Self.maxPending)
            }
            return p.events
        }
        // Filed in order: what waited goes first; on failure everything waits for the next event.
        if (try? relay.forward(audits: batch, container: container)) == true {
            pending.withLock { p in p.events.removeFirst(min(batch.count, p.events.count)) }
        }
    }

    /// Events that wait for a defender of the container, and events dropped while waiting.
    var waiting: (count: Int, dropped: Int) { pending.withLock { ($0.events.count, $0.dropped) } }

    /// One finding as an audit (the store's audit shape: id, time, type, effect, rule, attackType, msg, ...).
    static func audit(_ e: WAASEvent, index: Int) -> JSONValue {
        let effect: String = e.effect == .alert ? "alert" : "prevent"
        return .object(
            JSONObject([
                "id": .string("waas-\(e.eventID)-\(index)"),
                "time": .string(e.time),
                "type": "waas",
                "effect": .string(effect),
                "rule": .string(e.ruleID),
                "attackType": .string(e.category.rawValue),
                "ip": .string(e.clientIP),
                "msg": .string("\(e.method) \(e.path): \(e.category.rawValue) in \(e.location)"),
                "eventID": .string(e.eventID),
                "method": .string(e.method),
                "path": .string(e.path),
                "host": .string(e.host),
                "location": .string(e.location),
                "excerpt": .string(e.excerpt),
                "waasEffect": .string(e.effect.rawValue),
            ])
        )
    }
}
