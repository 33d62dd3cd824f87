import ConnectorKit
import Foundation
import MCP

/// The host's HTTP API as the MCP tools reach it: a base URL, the API token when there is one, and
/// the shared transport.
public struct HostAPIClient: Sendable {
    let baseURL: @Sendable () async -> String
    let token: Secret?
    let http: HTTPTransport

    /// A client of the API at `baseURL` (`http://127.0.0.1:8710`).
    public init(baseURL: String, token: Secret?, http: HTTPTransport) {
        let trimmed = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.init(resolving: { trimmed }, token: token, http: http)
    }

    /// A client of an API whose address is known once it listens (the host's own, on port 0).
    public init(resolving baseURL: @escaping @Sendable () async -> String, token: Secret?, http: HTTPTransport) {
        self.baseURL = baseURL
        self.token = token
        self.http = http
    }

    /// Sends a tool's request; returns the status and body whatever the status.
    func send(_ request: HostTools.APIRequest) async throws -> (Int, [UInt8]) {
        var url = await baseURL() + request.path
        if !request.query.isEmpty {
            url += "?" + request.query.map { "\($0.0)=\(PercentEncoding.encode($0.1))" }.joined(separator: "&")
        }
        var headers = request.headers + [("Accept", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(try token.revealedString())")) }
        var body: [UInt8]?
        if let value = request.body {
            body = Array(try JSONEncoder().encode(value))
            headers.append(("Content-Type", "application/json"))
        }
        let response = try await http.send(.init(method: request.method, url: url, headers: headers, body: body,
                                                  safeToRepeat: request.method == "GET", connector: "mcp"))
        return (response.status, response.body)
    }

    /// The features of the connectors that run now.
    func runningFeatures() async throws -> Set<String> {
        let (status, body) = try await send(.init(method: "GET", path: "/v1/connectors"))
        guard status == 200, let json = try? JSONParser.parse(body), case .array(let connectors)? = json["connectors"] else {
            throw ToolArgumentError(message: "the host's /v1/connectors answered HTTP \(status)")
        }
        var features: Set<String> = []
        for connector in connectors where connector["state"]?.stringValue == "running" {
            if case .array(let list)? = connector["features"] { features.formUnion(list.compactMap(\.stringValue)) }
        }
        return features
    }
}
