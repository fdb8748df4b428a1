import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OpenAPIRuntime
import ScuteConsoleAPI

@testable import ScuteConsole

/// Sends the generated client's requests through HummingbirdTesting's client (router or live socket).
struct TestClientTransport: ClientTransport {
    let client: any TestClientProtocol

    func send(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var buffer: ByteBuffer?
        if let body { buffer = ByteBuffer(bytes: try await [UInt8](collecting: body, upTo: 16 << 20)) }
        let uri = baseURL.path + (request.path ?? "")
        let response = try await client.executeRequest(uri: uri, method: request.method, headers: request.headerFields, body: buffer)
        return (
            HTTPResponse(status: response.status, headerFields: response.headers),
            HTTPBody(Array(response.body.readableBytesView))
        )
    }
}

extension TestClientProtocol {
    /// The generated client for the console under test, logged in with `token` if given.
    func api(token: String? = nil) throws -> ScuteConsoleAPI.Client {
        ScuteConsoleAPI.Client(
            serverURL: try Servers.Server1.url(),
            configuration: APIServer.configuration,
            transport: TestClientTransport(client: self),
            middlewares: token.map { [BearerToken(token: $0)] } ?? []
        )
    }
}
