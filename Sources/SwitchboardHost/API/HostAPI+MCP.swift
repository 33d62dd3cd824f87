import Foundation
import HTTPTypes
import Hummingbird
import MCP
import NIOCore
import SwitchboardMCP

extension HostAPI {
    /// `POST/GET/DELETE /mcp`: MCP's Streamable HTTP transport (sessions, SSE answers), see ``MCPHTTPSessions``.
    func addMCPRoutes(_ router: Router<BasicRequestContext>, sessions: MCPHTTPSessions) {
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            var body: Data?
            if request.method == .post {
                let buffer = try await request.body.collect(upTo: self.limits.maxBodyBytes)
                body = Data(buffer.readableBytesView)
            }
            let answer = await sessions.handle(MCP.HTTPRequest(method: request.method.rawValue, headers: headers, body: body, path: request.uri.path))
            var fields = HTTPFields()
            for (name, value) in answer.headers { if let field = HTTPField.Name(name) { fields[field] = value } }
            let status = HTTPResponse.Status(code: answer.statusCode)
            if case .stream(let stream, _) = answer {
                return Response(status: status, headers: fields, body: ResponseBody { writer in
                    do {
                        for try await chunk in stream { try await writer.write(ByteBuffer(bytes: chunk)) }
                    } catch {
                        // The session ended or the client left.
                    }
                    try? await writer.finish(nil)
                })
            }
            return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: answer.bodyData ?? Data())))
        }
        router.post("/mcp", use: handler)
        router.get("/mcp", use: handler)
        router.delete("/mcp", use: handler)
    }
}
