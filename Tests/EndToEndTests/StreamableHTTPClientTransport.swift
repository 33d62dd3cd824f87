import ConnectorKit
import Foundation
import Logging
import MCP

/// The MCP SDK's `Client` over Streamable HTTP on Linux, for tests: the SDK's own
/// `HTTPClientTransport` cannot read a Server-Sent Events answer there (Linux's URLSession has no
/// byte streams), and the host answers every POST as SSE. This transport POSTs each message with
/// our HTTP client, keeps the `Mcp-Session-Id`, and hands every `data:` message of the answer to
/// the client — so the SDK's client, its requests and its result decoding are what the test drives.
actor StreamableHTTPClientTransport: Transport {
    let logger = Logger(label: "mcp-http-client", factory: { _ in SwiftLogNoOpLogHandler() })
    private let endpoint: String
    private let token: String
    private let http: HTTPTransport
    private var session: String?
    private let messages: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation

    init(endpoint: String, token: String, http: HTTPTransport) {
        self.endpoint = endpoint
        self.token = token
        self.http = http
        (messages, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
    }

    func connect() async throws {}

    func disconnect() async {
        if let session {
            _ = try? await http.send(.init(method: "DELETE", url: endpoint, headers: headers(session)))
        }
        continuation.finish()
    }

    func send(_ data: Data) async throws {
        let response = try await http.send(.init(method: "POST", url: endpoint,
                                                 headers: headers(session) + [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")],
                                                 body: Array(data)))
        if session == nil, let id = response.header("Mcp-Session-Id") { session = id }
        guard (200..<300).contains(response.status) else {
            throw MCPError.internalError("HTTP \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        let text = String(decoding: response.body, as: UTF8.self)
        if (response.header("Content-Type") ?? "").contains("text/event-stream") {
            for line in text.split(separator: "\n") where line.hasPrefix("data:") {
                let payload = line.dropFirst(5).trimmingCharacters(in: .whitespaces)
                if !payload.isEmpty { continuation.yield(Data(payload.utf8)) }
            }
        } else if !text.isEmpty {
            continuation.yield(Data(text.utf8))
        }
    }

    func receive() -> AsyncThrowingStream<Data, any Error> { messages }

    private func headers(_ session: String?) -> [(String, String)] {
        var headers = [("Authorization", "Bearer \(token)"), ("MCP-Protocol-Version", "2025-06-18")]
        if let session { headers.append(("Mcp-Session-Id", session)) }
        return headers
    }
}
