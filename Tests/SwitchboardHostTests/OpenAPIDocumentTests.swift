import ConnectorKit
import Foundation
@testable import SwitchboardHost
import Testing
import Yams

/// `openapi.yaml` and the running API agree: every documented route answers (not "no route"), and
/// every route the API serves is documented.
@Suite("openapi.yaml describes the API")
struct OpenAPIDocumentTests {
    static let document: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("openapi.yaml")

    /// The routes the API registers (kept beside HostAPI; this test keeps both honest).
    static let served: Set<String> = Set(HostAPI.routes)

    @Test func everyDocumentedRouteAnswersAndEveryRouteIsDocumented() async throws {
        let yaml = try String(contentsOf: Self.document, encoding: .utf8)
        let root = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        let paths = try #require(root["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys where ["get", "post", "patch", "put", "delete"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        #expect(documented == Self.served)
        let routes = documented

        let (store, directory) = try HostAPITests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await HostAPITests.withAPI(store: store) { base, http in
            for route in routes {
                let parts = route.split(separator: " ")
                let method = String(parts[0])
                let path = String(parts[1]).replacingOccurrences(of: "{id}", with: "500X")
                // Parameters that make each route answer at once (the events stream refuses a bad id).
                let url = base + path + (path == "/v1/users" ? "?email=x@y.z" : path == "/v1/knowledge/search" ? "?q=x" : "")
                let headers = path == "/v1/events" ? [("Last-Event-ID", "not-a-number")] : []
                let response = try await http.send(.init(method: method, url: url, headers: headers, body: method == "GET" ? nil : Array("{}".utf8)))
                #expect(!String(decoding: response.body, as: UTF8.self).contains("no route"), "\(route) is served")
            }
        }
    }
}
