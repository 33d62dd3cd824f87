import ConnectorKit
import Foundation
import Logging
@testable import SalesforceSandbox

/// A sandbox with a session token issued directly (no JWT needed for query tests), and a real
/// HTTP client to talk to it.
struct SandboxClient: Sendable {
    let sandbox: SalesforceSandbox
    let base: String
    let token: String
    let transport: HTTPTransport

    static func with<T: Sendable>(_ configuration: SandboxConfiguration = SandboxConfiguration(),
                                  _ body: @Sendable (SandboxClient) async throws -> T) async throws -> T {
        try await SalesforceSandbox.withRunning(configuration: configuration) { sandbox in
            var transportConfiguration = HTTPTransport.Configuration()
            transportConfiguration.retry = RetryPolicy(maxAttempts: 1)
            let transport = HTTPTransport(configuration: transportConfiguration, logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
            let client = SandboxClient(sandbox: sandbox, base: await sandbox.baseURL(),
                                       token: sandbox.org.issueToken(username: SeedData.integrationUsername), transport: transport)
            do {
                let result = try await body(client)
                try await transport.shutdown()
                return result
            } catch {
                try? await transport.shutdown()
                throw error
            }
        }
    }

    /// GET a path (or a full `nextRecordsUrl`) with the session.
    func get(_ path: String, headers: [(String, String)] = []) async throws -> HTTPTransport.Response {
        try await transport.send(.init(url: base + path, headers: [("Authorization", "Bearer \(token)")] + headers))
    }

    /// Runs a query: `/services/data/v62.0/query?q=…`.
    func query(_ soql: String, all: Bool = false, batchSize: Int? = nil) async throws -> HTTPTransport.Response {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let q = soql.addingPercentEncoding(withAllowedCharacters: allowed)!
        return try await get("/services/data/v62.0/\(all ? "queryAll" : "query")?q=\(q)",
                             headers: batchSize.map { [("Sforce-Query-Options", "batchSize=\($0)")] } ?? [])
    }

    /// A JSON object body.
    static func object(_ response: HTTPTransport.Response) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    /// A Salesforce error array body's first entry.
    static func firstError(_ response: HTTPTransport.Response) throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])?.first ?? [:]
    }
}
