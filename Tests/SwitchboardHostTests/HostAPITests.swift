import ConnectorKit
import Foundation
import Logging
import ServiceLifecycle
@testable import SwitchboardHost
import Testing

/// The host API over real HTTP on loopback, backed by a real SQLite file.
@Suite("Host API: authentication, users, knowledge, events with Last-Event-ID across restarts", .serialized)
struct HostAPITests {
    static let quiet = Logger(label: "api", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs an API on a free port over `store` for the duration of `body`.
    static func withAPI(store: SQLiteStore, token: String? = nil, limits: APILimits = APILimits(),
                        _ body: @Sendable (String, HTTPTransport) async throws -> Void) async throws {
        let api = try HostAPI(address: ListenAddress(host: "127.0.0.1", port: 0), token: token.map { Secret($0) }, board: ConnectorStatusBoard(),
                          store: store, metrics: nil, logger: quiet, keepAlive: .milliseconds(200), limits: limits)
        let group = ServiceGroup(configuration: .init(services: [api], gracefulShutdownSignals: [], logger: quiet))
        let transport = HTTPTransport(logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let base = "http://127.0.0.1:\(await api.port())"
            do {
                try await body(base, transport)
            } catch {
                await group.triggerGracefulShutdown()
                try? await transport.shutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        try await transport.shutdown()
    }

    static func store() throws -> (SQLiteStore, String) {
        let directory = NSTemporaryDirectory() + "switchboard-api-" + UUID().uuidString
        return (try SQLiteStore(path: directory + "/state.db"), directory)
    }

    static func text(_ response: HTTPTransport.Response) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func tokenIsRequiredExceptForProbes() async throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await Self.withAPI(store: store, token: "s3cret-token") { base, http in
            #expect(try await http.send(.init(url: base + "/healthz")).status == 200)
            #expect(try await http.send(.init(url: base + "/readyz")).status == 200, "no connectors: ready")
            let missing = try await http.send(.init(url: base + "/v1/connectors"))
            #expect(missing.status == 401 && Self.text(missing) == #"{"error":{"code":"unauthorized","message":"unauthorized"}}"#)
            let wrong = try await http.send(.init(url: base + "/v1/connectors", headers: [("Authorization", "Bearer s3cret-tokex")]))
            #expect(wrong.status == 401 && !Self.text(wrong).contains("s3cret"))
            let short = try await http.send(.init(url: base + "/v1/connectors", headers: [("Authorization", "Bearer s3")]))
            #expect(short.status == 401)
            let right = try await http.send(.init(url: base + "/v1/connectors", headers: [("Authorization", "Bearer s3cret-token")]))
            #expect(right.status == 200 && Self.text(right).hasPrefix(#"{"configuration":{"file":"","generation":1,"loadedAt":""#)
                    && Self.text(right).hasSuffix(#""},"connectors":[]}"#), "\(Self.text(right))")
        }
    }

    @Test func usersAndKnowledgeSearch() async throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [
            .user(UserRecord(id: "003A", email: "Ada@Acme.example", firstName: "Ada", lastName: "Lovelace", fields: ["Department": "R&D"],
                             modifiedAt: Date(timeIntervalSince1970: 1_767_225_600))),
        ], checkpoint: nil))
        try await store.commit(RecordBatch(connector: "sf", stream: .articles, upserts: [
            .article(KnowledgeArticle(id: "kA1:en_US", articleNumber: "0001", title: "Reset your VPN", summary: "VPN help", urlName: "vpn", language: "en_US",
                                      bodyHTML: ["Body__c": "<p>Restart</p>"], bodyText: "Restart the client", modifiedAt: Date())),
        ], checkpoint: nil))
        try await Self.withAPI(store: store) { base, http in
            let user = try await http.send(.init(url: base + "/v1/users?email=ada@acme.example"))
            #expect(user.status == 200 && Self.text(user).contains(#""id":"003A""#) && Self.text(user).contains(#""Department":"R&D""#))
            let nobody = try await http.send(.init(url: base + "/v1/users?email=nobody@acme.example"))
            #expect(nobody.status == 404 && Self.text(nobody).contains(#""code":"not_found""#))
            let missing = try await http.send(.init(url: base + "/v1/users"))
            #expect(missing.status == 400 && Self.text(missing).contains("missing_parameter"))
            let search = try await http.send(.init(url: base + "/v1/knowledge/search?q=vpn&lang=en_US"))
            #expect(search.status == 200 && Self.text(search).contains(#""title":"Reset your VPN""#) && Self.text(search).contains("[VPN]"))
            let noQuery = try await http.send(.init(url: base + "/v1/knowledge/search"))
            #expect(noQuery.status == 400)
            let badLimit = try await http.send(.init(url: base + "/v1/knowledge/search?q=x&limit=0"))
            #expect(badLimit.status == 400 && Self.text(badLimit).contains("invalid_parameter"))
        }
    }

    static func ticketEvent(_ n: Int) -> ConnectorEvent {
        ConnectorEvent(connector: "sf", payload: .ticket(TicketEvent(ticketId: "500X\(n)", requesterEmail: "ada@acme.example",
                                                                     kind: .statusChanged(from: "New", to: "Working \(n)"), occurredAt: Date())))
    }

    /// Events stream live; a client that reconnects with Last-Event-ID — even to a restarted host on
    /// the same store — gets exactly the events after it, none lost, none twice.
    @Test(.timeLimit(.minutes(1))) func eventsResumeWithLastEventIDAcrossRestarts() async throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for n in 1...3 { try await store.emit(Self.ticketEvent(n)) }
        let firstSeen = try await Self.withAPIReading(store: store, lastEventID: "1", expecting: 3, triggerAfter: 2) {
            try await store.emit(Self.ticketEvent(4))  // arrives live, after the backlog
        }
        #expect(firstSeen.map(\.id) == ["2", "3", "4"])
        #expect(firstSeen.first?.type == "ticket.status_changed" && firstSeen.first?.data.contains(#""ticketId":"500X2""#) == true)

        // The host is down while more happens; a new API on the same file resumes after 4.
        for n in 5...6 { try await store.emit(Self.ticketEvent(n)) }
        let reopened = try SQLiteStore(path: directory + "/state.db")
        let resumed = try await Self.withAPIReading(store: reopened, lastEventID: "4", expecting: 2, triggerAfter: nil) {}
        #expect(resumed.map(\.id) == ["5", "6"])
    }

    /// `?after=0` replays the whole log; a resume point that is not an id is a 400.
    @Test(.timeLimit(.minutes(1))) func eventsReplayFromZeroAndRefuseBadIDs() async throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for n in 1...2 { try await store.emit(Self.ticketEvent(n)) }
        try await Self.withAPI(store: store) { base, http in
            var replay = http.events(.init(url: base + "/v1/events?after=0")).makeAsyncIterator()
            #expect(try await replay.next()?.id == "1")
            #expect(try await replay.next()?.id == "2")

            let bad = try await http.send(.init(url: base + "/v1/events", headers: [("Last-Event-ID", "abc")]))
            #expect(bad.status == 400 && Self.text(bad).contains("invalid_parameter"))
        }
    }

    /// Reads `expecting` events with our own SSE client, running `action` once `triggerAfter` arrived.
    static func withAPIReading(store: SQLiteStore, lastEventID: String, expecting: Int, triggerAfter: Int?,
                               then action: @Sendable () async throws -> Void) async throws -> [ServerSentEvent] {
        let collected = EventsBox()
        try await withAPI(store: store) { base, http in
            var iterator = http.events(.init(url: base + "/v1/events", lastEventID: lastEventID)).makeAsyncIterator()
            while collected.count < expecting, let event = try await iterator.next() {
                collected.append(event)
                if collected.count == triggerAfter { try await action() }
            }
        }
        return collected.events
    }

    final class EventsBox: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [ServerSentEvent] = []
        func append(_ event: ServerSentEvent) { lock.withLock { storage.append(event) } }
        var events: [ServerSentEvent] { lock.withLock { storage } }
        var count: Int { lock.withLock { storage.count } }
    }
}
