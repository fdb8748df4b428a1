import HTTPTypes
import Logging
import ScuteConsoleAPI

/// The server certificate's subject alternative names: read them, or add one (a new certificate from the
/// console's CA, presented from the next connection on, with no restart).
extension ConsoleAPI {
    func getSubjectAlternativeNames(
        _ input: Operations.GetSubjectAlternativeNames.Input
    ) async throws -> Operations.GetSubjectAlternativeNames.Output {
        .ok(.init(body: .json(sanSchema())))
    }

    func addSubjectAlternativeName(
        _ input: Operations.AddSubjectAlternativeName.Input
    ) async throws -> Operations.AddSubjectAlternativeName.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        let name = try Self.text(body.name.lowercased(), "name", maxLength: 253)
        if let problem = ServerIdentity.problem(with: name) { throw APIError.badRequest("name", problem) }
        guard !core.configuration.insecureHTTP else {
            throw APIError.badRequest("name", "this console serves plain HTTP (--insecure-http): it has no server certificate")
        }
        do {
            _ = try core.identity.add(name, logger: core.logger)
        } catch {
            core.logger.error("api.certificates.reissue_failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            throw APIError(.internalServerError, "internal error")
        }
        return .ok(.init(body: .json(sanSchema())))
    }

    private func sanSchema() -> Components.Schemas.SubjectAlternativeNames {
        let configured = core.configuration.subjectAlternativeNames
        let names = core.identity.subjectAlternativeNames
        return .init(names: names, added: names.filter { !configured.contains($0) })
    }
}
