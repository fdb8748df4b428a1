import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import OpenAPIRuntime
import ScuteStore

/// The edge of the generated API, run before the generated code decodes anything:
/// - the role check of `RoutePermissions` (401 without a valid token, 403 for a role that may not),
///   with the caller handed to the handler in `Caller.identity`;
/// - query parameters the document does not list, or required ones missing: 400 naming the parameter;
/// - every error (decoding, handler, runtime) answered as the document's `Error` with a 4xx/5xx status,
///   decoding errors as 400 naming the field, never a bare 500 with internals.
struct APIGuard: ServerMiddleware {
    let core: ConsoleCore
    let catalog: OperationCatalog

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        metadata: ServerRequestMetadata,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let extras = ResponseExtras()
        do {
            let identity = try await authorize(request, operationID: operationID)
            try checkQuery(request, operationID: operationID)
            var (response, responseBody) = try await Caller.$identity.withValue(identity) {
                try await ResponseExtras.$current.withValue(extras) {
                    try await next(request, body, metadata)
                }
            }
            response.headerFields.append(contentsOf: extras.headerFields)
            return (response, responseBody)
        } catch {
            var failure = answer(for: error, operationID: operationID)
            failure.headers.append(contentsOf: extras.headerFields.filter { $0.name == .scuteWarning })
            return failure.openAPIResponse()
        }
    }

    /// The caller, if the operation needs one and their role may call it.
    private func authorize(_ request: HTTPRequest, operationID: String) async throws(APIError) -> Identity? {
        guard let access = RoutePermissions.access(operationID) else {
            core.logger.error("api.operation.unlisted", metadata: ["operation": "\(operationID)"])
            throw APIError.forbidden
        }
        guard case .role(let permission) = access else { return nil }
        guard let header = request.headerFields[.authorization], header.hasPrefix("Bearer ") || header.hasPrefix("bearer ") else {
            throw APIError.unauthorized
        }
        let identity: Identity?
        do {
            identity = try await core.authenticate(bearer: String(header.dropFirst(7)))
        } catch {
            throw APIError(error)
        }
        guard let identity else { throw APIError.unauthorized }
        guard permission.allows(identity.role) else { throw APIError.forbidden }
        return identity
    }

    /// Query parameters: the generated decoder ignores unknown ones and says little about missing ones.
    private func checkQuery(_ request: HTTPRequest, operationID: String) throws(APIError) {
        guard let known = catalog.operations[operationID]?.query else { return }
        let present = URI(request.path ?? "/").queryParameters
        for (key, value) in present {
            guard let parameter = known[String(key)] else { throw APIError.badRequest(String(key), "unknown query parameter") }
            if let problem = parameter.problem(with: value) { throw APIError.badRequest(String(key), problem) }
        }
        for (name, parameter) in known where parameter.required && present[name[...]] == nil {
            throw APIError.badRequest(name, "missing")
        }
    }

    /// The client's answer for an error thrown by the generated code or a handler.
    private func answer(for error: any Error, operationID: String) -> APIError {
        if let error = error as? APIError { return error }
        guard let error = error as? ServerError else {
            core.logger.error("api.error", metadata: ["operation": "\(operationID)", "error": "\(String(reflecting: type(of: error)))"])
            return APIError(.internalServerError, "internal error")
        }
        if let underlying = error.underlyingError as? APIError { return underlying }
        if let decoding = error.underlyingError as? DecodingError { return APIError(decoding: decoding) }
        if error.httpStatus.kind == .clientError {
            // Content type, Accept: the runtime's description names the culprit.
            let field = error.httpStatus == .unsupportedMediaType ? "Content-Type" : "request"
            return APIError(error.httpStatus, "\(field): \(error.causeDescription)", field: field)
        }
        core.logger.error(
            "api.error",
            metadata: [
                "operation": "\(operationID)", "cause": "\(error.causeDescription)",
                "error": "\(String(reflecting: type(of: error.underlyingError)))",
            ]
        )
        return APIError(.internalServerError, "internal error")
    }
}
