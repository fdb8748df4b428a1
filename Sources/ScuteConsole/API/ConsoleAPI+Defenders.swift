import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import ScuteBundle
import ScuteConsoleAPI
import ScuteCore
import ScuteEmbed
import ScuteStore
import ScuteUplink

extension ConsoleAPI {
    func listDefenders(_ input: Operations.ListDefenders.Input) async throws -> Operations.ListDefenders.Output {
        let appID = try Self.optionalText(input.query.appID, "appID")
        let now = WallClock.milliseconds()
        var list = try await store { () async throws(StoreError) in try await core.store.defenders() }
        if let connected = input.query.connected { list = list.filter { $0.connected == (connected == ._true) } }
        if let appID { list = list.filter { Wildcard(appID).matches($0.appID) } }
        return .ok(.init(body: .json(.init(defenders: try list.map { d throws(APIError) in try Self.schema(d, now: now) }))))
    }

    func getInstallBundle(_ input: Operations.GetInstallBundle.Input) async throws -> Operations.GetInstallBundle.Output {
        let address = try Self.consoleAddress(input.query.consoleaddr) ?? core.defaultConsoleAddress
        let bundle = try await installBundle(address)
        return .ok(.init(body: .json(.init(installBundle: bundle.encoded, consoleAddress: address))))
    }

    /// Every install bundle issued so far stops enrolling defenders; enrolled defenders keep their own
    /// credentials, unless `revokeEnrolled=true` revokes those too (and closes their channels).
    func rotateDefenderTokens(_ input: Operations.RotateDefenderTokens.Input) async throws -> Operations.RotateDefenderTokens.Output {
        let revokeEnrolled = input.query.revokeEnrolled == ._true
        let (generation, revoked) = try await store { () async throws(StoreError) in
            let next = try await core.defenderTokenGeneration() + 1
            try await core.store.setSetting(SettingKey.defenderTokenGeneration, String(next))
            return (next, revokeEnrolled ? try await core.store.revokeDefenderCredentials() : 0)
        }
        if revokeEnrolled { await core.hub.disconnectAll(reason: "every defender credential was revoked") }
        core.logger.notice("api.defender_tokens.rotated", metadata: ["generation": "\(generation)", "credentials.revoked": "\(revoked)"])
        return .ok(.init(body: .json(.init(generation: Int(generation), revokedCredentials: revoked))))
    }

    /// The defender's channel closes and it is refused from then on; the install bundle that enrolled it
    /// enrolls no more defenders, so a new defender ID does not get around the revocation.
    func revokeDefender(_ input: Operations.RevokeDefender.Input) async throws -> Operations.RevokeDefender.Output {
        let id = input.path.id
        let record = try await store { () async throws(StoreError) in
            guard try await core.store.revokeDefender(id: id, at: WallClock.milliseconds()) else { return nil as DefenderRecord? }
            let record = try await core.store.defender(id: id)
            if let enrollment = record?.enrollmentID, !enrollment.isEmpty {
                try await core.store.blockEnrollment(id: enrollment, defenderID: id, at: WallClock.milliseconds())
            }
            return record
        }
        guard record != nil else { throw APIError.notFound("no defender \(id)") }
        await core.hub.disconnect(defenderID: id, reason: "this defender was revoked")
        core.logger.notice("api.defender.revoked", metadata: ["defender.id": "\(LogText.safe(id))"])
        return .noContent(.init())
    }

    func deleteDefender(_ input: Operations.DeleteDefender.Input) async throws -> Operations.DeleteDefender.Output {
        let id = input.path.id
        guard try await store({ () async throws(StoreError) in try await core.store.deleteDefender(id: id) }) else {
            throw APIError.notFound("no defender \(id)")
        }
        await core.hub.disconnect(defenderID: id, reason: "this defender was deleted")
        return .noContent(.init())
    }

    /// Checks `consoleaddr`: a ws:// or wss:// URL with a host.
    static func consoleAddress(_ text: String?) throws(APIError) -> String? {
        guard let text else { return nil }
        guard text.utf8.count <= 512, text.hasPrefix("wss://") || text.hasPrefix("ws://"), text.split(separator: "/").count >= 2,
            !text.contains(where: { $0 == " " || $0 == "\"" })
        else { throw APIError.badRequest("consoleaddr", "expected wss://HOST:PORT") }
        return text
    }

    /// An optional query parameter of at most `maxLength` bytes (the document's limit, not checked by the generator).
    static func optionalText(_ value: String?, _ field: String, maxLength: Int = 512) throws(APIError) -> String? {
        guard let value else { return nil }
        guard value.utf8.count <= maxLength else { throw APIError.badRequest(field, "longer than \(maxLength) bytes") }
        return value
    }

    static func schema(_ d: DefenderRecord, now: Int64) throws(APIError) -> Components.Schemas.Defender {
        let status = d.revoked ? "revoked" : (d.connected ? "connected" : "disconnected")
        return .init(
            id: d.id,
            appID: d.appID,
            taskFamily: d.taskFamily,
            taskARN: d.taskARN,
            container: d.container,
            image: d.image,
            version: d.version,
            statusText: "\(d.connected ? "connected" : status) for \(humanDuration(milliseconds: now - d.since))",
            status: try payload(status),
            connected: d.connected,
            revoked: d.revoked,
            since: date(milliseconds: d.since),
            lastSeen: date(milliseconds: d.lastSeen)
        )
    }
}
