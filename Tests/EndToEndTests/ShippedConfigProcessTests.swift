import AsyncHTTPClient
import Foundation
import NIOCore
import SalesforceSandbox
import Testing
import ConnectorKit
import Logging

/// The README's first command on a fresh folder: `switchboard run` with the shipped connectors.yaml
/// starts the sandbox org, syncs contacts and articles into SQLite, and answers the assistant's API.
@Suite("switchboard run with the shipped connectors.yaml", .serialized)
struct ShippedConfigProcessTests {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("connectors.yaml")

    static func get(_ url: String, token: String? = nil) async throws -> (status: UInt, body: String) {
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    @Test(.timeLimit(.minutes(3))) func runsAgainstTheSandboxAndAnswersTheAPI() async throws {
        let directory = NSTemporaryDirectory() + "switchboard-shipped-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: Self.shipped.path, toPath: directory + "/connectors.yaml")
        let token = "e2e-token-\(UUID().uuidString)"
        let host = try SwitchboardProcess.Running(["run"], directory: directory,
                                                  environment: ["SWITCHBOARD_LISTEN": "127.0.0.1:0", "SWITCHBOARD_API_TOKEN": token])
        try await host.waitForStderr("API listening")
        let line = try #require(host.stderrText.split(separator: "\n").first { $0.contains("API listening") })
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) })
        let base = "http://127.0.0.1:\(port)"
        try await host.waitForStderr("contacts synced")
        try await host.waitForStderr("articles synced")

        #expect(try await Self.get(base + "/healthz").status == 200)
        #expect(try await Self.get(base + "/v1/connectors").status == 401, "the token is required")
        let ready = try await Self.get(base + "/readyz")
        #expect(ready.status == 200 && ready.body.contains(#""ready":true"#), "\(ready.body)")

        // A contact of the sandbox's seed, found by email (any case).
        var sandbox = SandboxConfiguration()
        sandbox.seed = SeedData(seed: 42, contacts: 250)
        let contact = try SandboxOrg(configuration: sandbox).records("Contact")[7]
        guard case .string(let email) = contact["Email"] else { Issue.record("seeded contact without email"); return }
        let user = try await Self.get(base + "/v1/users?email=\(email.uppercased())", token: token)
        #expect(user.status == 200 && user.body.contains(#""id":"\#(contact.id)""#), "\(user.body)")

        let search = try await Self.get(base + "/v1/knowledge/search?q=printer&lang=en_US", token: token)
        #expect(search.status == 200 && search.body.contains("[Printer]"), "\(search.body)")

        // Open a ticket over HTTP; the sandbox's simulated agent answers; the answer reaches /v1/events.
        let events = HTTPTransport(logger: Logger(label: "e2e", factory: { _ in SwiftLogNoOpLogHandler() }))
        let auth = [("Authorization", "Bearer \(token)")]
        var iterator = events.events(.init(url: base + "/v1/events", headers: auth)).makeAsyncIterator()
        let created = try await events.send(.init(method: "POST", url: base + "/v1/tickets",
            headers: auth + [("Content-Type", "application/json"), ("Idempotency-Key", "e2e-1")],
            body: Array(#"{"requesterEmail":"\#(email)","subject":"Laptop will not boot","priority":"High","fields":{"category":"Hardware"}}"#.utf8)))
        #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
        let ticket = try #require(try JSONSerialization.jsonObject(with: Data(created.body)) as? [String: Any])
        let id = try #require(ticket["id"] as? String)
        let again = try await events.send(.init(method: "POST", url: base + "/v1/tickets",
            headers: auth + [("Content-Type", "application/json"), ("Idempotency-Key", "e2e-1")],
            body: Array(#"{"requesterEmail":"\#(email)","subject":"Laptop will not boot","priority":"High","fields":{"category":"Hardware"}}"#.utf8)))
        #expect((try JSONSerialization.jsonObject(with: Data(again.body)) as? [String: Any])?["id"] as? String == id, "same key, same ticket")
        let fetched = try await Self.get(base + "/v1/tickets/\(id)", token: token)
        #expect(fetched.status == 200 && fetched.body.contains(#""category":"Hardware""#))
        var seen: [String] = []
        while !seen.contains("ticket.comment_added"), let event = try await iterator.next() {
            if event.data.contains(id) { seen.append(event.type) }
        }
        #expect(seen.contains("ticket.status_changed") && seen.contains("ticket.comment_added"))

        // The rest of the ticket routes.
        let json = auth + [("Content-Type", "application/json")]
        let comment = try await events.send(.init(method: "POST", url: base + "/v1/tickets/\(id)/comments", headers: json,
                                                  body: Array(#"{"body":"It started on Monday."}"#.utf8)))
        #expect(comment.status == 201 && String(decoding: comment.body, as: UTF8.self).contains(#""author":"integration""#))
        let closed = try await events.send(.init(method: "PATCH", url: base + "/v1/tickets/\(id)", headers: json, body: Array(#"{"status":"Closed"}"#.utf8)))
        #expect(closed.status == 200 && String(decoding: closed.body, as: UTF8.self).contains(#""isClosed":true"#))
        let list = try await Self.get(base + "/v1/tickets?requester=\(email)&state=closed", token: token)
        #expect(list.status == 200 && list.body.contains(id))
        let noKey = try await events.send(.init(method: "POST", url: base + "/v1/tickets", headers: json, body: Array("{}".utf8)))
        #expect(noKey.status == 400 && String(decoding: noKey.body, as: UTF8.self).contains("missing_idempotency_key"))
        let noToken = try await events.send(.init(method: "POST", url: base + "/v1/tickets", headers: [("Idempotency-Key", "x")], body: Array("{}".utf8)))
        #expect(noToken.status == 401)
        let notFound = try await Self.get(base + "/v1/tickets/500SBX999999999AAA", token: token)
        #expect(notFound.status == 404 && notFound.body.contains(#""code":"not_found""#))
        try await events.shutdown()

        host.signal(SIGTERM)
        let result = try await host.wait()
        #expect(result.status == 0)
        #expect(!result.output.contains(token), "the API token never appears in the output")
    }
}
