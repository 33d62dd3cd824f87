@testable import ConnectorKit
import Foundation
import Logging
@testable import SwitchboardHost
import Testing

/// What the assistant is told when a connector call fails: the kind and what to do — never the
/// upstream URL, path or query (those stay in the host's log).
@Suite("Host API: connector errors as answers without upstream URLs")
struct ErrorMappingTests {
    static func api() throws -> (HostAPI, String) {
        let (store, directory) = try HostAPITests.store()
        return (try HostAPI(address: ListenAddress(host: "127.0.0.1", port: 0), token: nil, board: ConnectorStatusBoard(), store: store,
                        metrics: nil, logger: HostAPITests.quiet), directory)
    }

    @Test func aTransportFailureNamesNoURL() async throws {
        let (api, directory) = try Self.api()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let url = "http://127.0.0.1:40123/services/data/v62.0/query?q=SELECT+Id+FROM+Case"
        let error = await #expect(throws: APIError.self) {
            try await api.mapping { () async throws -> Int in
                throw TransportError.gaveUp(url: url, status: 429, attempts: 4, reason: "gave up after 4 attempts")
            }
        }
        #expect(error?.status == .serviceUnavailable && error?.code == .upstreamError)
        #expect(error.map { !$0.message.contains("http") && !$0.message.contains("/services/data") && $0.message.contains("HTTP 429") } == true,
                "\(String(describing: error?.message))")
    }

    @Test func connectorMessagesLoseTheirURLs() async throws {
        let (api, directory) = try Self.api()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = await #expect(throws: APIError.self) {
            try await api.mapping { () async throws -> Int in
                throw ConnectorError.unavailable("https://acme.my.salesforce.com/services/data/v62.0/sobjects/Case/: HTTP 503")
            }
        }
        #expect(error?.message == "(URL): HTTP 503")
        let other = await #expect(throws: APIError.self) {
            try await api.mapping { () async throws -> Int in throw URLError(.badServerResponse, userInfo: [NSURLErrorFailingURLErrorKey: URL(string: "http://x/y")!]) }
        }
        #expect(other.map { !$0.message.contains("http://") } == true)
    }
}
