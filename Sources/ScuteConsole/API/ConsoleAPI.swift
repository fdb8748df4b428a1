import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import ScuteConsoleAPI
import ScuteCore
import ScuteStore
import ScuteUplink

/// The console's implementation of the generated `APIProtocol` (Sources/ScuteConsoleAPI/openapi.json).
/// `APIGuard` has checked the caller's role before any handler runs; handlers that need to know who
/// asks read `Caller.identity`. Areas live in `ConsoleAPI+Area.swift`.
struct ConsoleAPI: APIProtocol {
    let core: ConsoleCore

    func health(_ input: Operations.Health.Input) async throws -> Operations.Health.Output {
        let report = await core.health()
        let body = Components.Schemas.Health(
            status: report.policyVersion == nil ? "unavailable" : "ok",
            policyVersion: report.policyVersion.map { Int($0) },
            connectedDefenders: report.policyVersion == nil ? nil : report.connectedDefenders,
            store: report.policyVersion == nil ? "unreachable" : nil
        )
        return report.policyVersion == nil ? .serviceUnavailable(.init(body: .json(body))) : .ok(.init(body: .json(body)))
    }

    /// Runs a store call, turning its error into the HTTP answer.
    func store<T>(_ body: () async throws(StoreError) -> T) async throws(APIError) -> T {
        do {
            return try await body()
        } catch {
            if error.isUnavailable { core.logger.warning("api.store.unavailable") }
            throw APIError(error)
        }
    }

    /// A fresh install bundle (a new defender token) for `address`.
    func installBundle(_ address: String) async throws(APIError) -> InstallBundle {
        do {
            return try await core.installBundle(consoleAddress: address)
        } catch let error as StoreError {
            if error.isUnavailable { core.logger.warning("api.store.unavailable") }
            throw APIError(error)
        } catch {
            core.logger.error("api.token.sign_failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            throw APIError(.internalServerError, "internal error")
        }
    }

    /// A signed token.
    func sign(_ claims: TokenSigner.Claims) async throws(APIError) -> String {
        do {
            return try await core.signer.sign(claims)
        } catch {
            core.logger.error("api.token.sign_failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            throw APIError(.internalServerError, "internal error")
        }
    }

    static func date(milliseconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000) }

    /// "45 s", "12 min", "3 h", "2 d".
    static func humanDuration(milliseconds: Int64) -> String {
        let s = max(0, milliseconds / 1000)
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" }
        if s < 86400 { return "\(s / 3600) h" }
        return "\(s / 86400) d"
    }

    static func headerSafe(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value >= 32 && $0.value < 127 ? Character($0) : " " }.prefix(500))
    }
}

extension ConsoleCore {
    /// The store's policy version (nil when the store does not answer) and the connected defenders.
    func health() async -> (policyVersion: Int64?, connectedDefenders: Int) {
        let version = try? await store.policyVersion()
        return (version, await hub.count)
    }
}
