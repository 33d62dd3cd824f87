import ConnectorKit
import ConnectorKitTesting
import Foundation
import Testing

@Suite("ConnectorContext: scoped services")
struct ConnectorContextTests {
    /// One shared transport for these tests (an HTTP client must be shut down, never just dropped).
    static let http = HTTPTransport(logger: LogCapture().makeLogger())

    func context(_ name: String, store: MemoryStore, capture: LogCapture) -> ConnectorContext {
        ConnectorContext(
            connectorName: name,
            vault: CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: "/", environment: [:])),
            http: Self.http, store: store, sink: store, events: store, handoffs: store, logger: capture.makeLogger())
    }

    @Test func loggerCarriesTheConnectorName() {
        let capture = LogCapture()
        context("acme", store: MemoryStore(), capture: capture).logger.info("hello")
        #expect(capture.all.first?.metadata["connector"] == "acme")
        #expect(capture.text.contains("info test hello connector=acme"))
    }

    @Test func stateIsScopedToTheConnector() async throws {
        let store = MemoryStore()
        let capture = LogCapture()
        let a = context("a", store: store, capture: capture), b = context("b", store: store, capture: capture)
        try await a.store.setModuleState(key: "cursor", value: Data("1".utf8))
        #expect(try await a.store.moduleState(key: "cursor") == Data("1".utf8))
        #expect(try await b.store.moduleState(key: "cursor") == nil)
        try await a.store.setModuleState(key: "cursor", value: nil)
        #expect(try await a.store.moduleState(key: "cursor") == nil)
    }

    @Test func aBatchMovesRecordsAndCheckpointTogether() async throws {
        let store = MemoryStore()
        let user = UserRecord(id: "003A", email: "a@x.example", firstName: "A", lastName: "B", modifiedAt: Date(timeIntervalSince1970: 0))
        try await store.commit(RecordBatch(connector: "c", stream: .users, upserts: [.user(user)], checkpoint: "t1|003A"))
        #expect(store.records(connector: "c", stream: .users)["003A"] == .user(user))
        #expect(try await store.checkpoint(connector: "c", stream: "users")?.cursor == "t1|003A")
        try await store.commit(RecordBatch(connector: "c", stream: .users, upserts: [], deletions: ["003A"], checkpoint: nil))
        #expect(store.records(connector: "c", stream: .users).isEmpty)
        #expect(try await store.checkpoint(connector: "c", stream: "users")?.cursor == "t1|003A", "nil leaves the checkpoint")
    }

    @Test func eventsGetMonotonicIds() async throws {
        let store = MemoryStore()
        let event = ConnectorEvent(connector: "c", payload: .ticket(TicketEvent(
            ticketId: "500A", requesterEmail: nil, kind: .statusChanged(from: "New", to: "Working"), occurredAt: Date())))
        let first = try await store.emit(event)
        let second = try await store.emit(event)
        #expect(second == first + 1)
        #expect(store.events.map(\.id) == [first, second])
    }

    @Test func clockIsInjectable() async throws {
        let fixed = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = ConnectorClock(now: { fixed }, sleep: { _ in })
        #expect(clock.now() == fixed)
        try await clock.sleep(for: .seconds(3600))  // returns at once
    }
}

@Suite("Contract values")
struct ContractValueTests {
    @Test func healthIsTheWorstCheck() {
        #expect(HealthReport(checks: []).status == .healthy)
        #expect(HealthReport(checks: [.init(name: "a", status: .healthy, detail: ""), .init(name: "b", status: .degraded, detail: "")]).status == .degraded)
        #expect(HealthReport(checks: [.init(name: "a", status: .unhealthy, detail: ""), .init(name: "b", status: .degraded, detail: "")]).status == .unhealthy)
    }

    @Test func connectorErrorsCarryContextNotSecrets() {
        let error = ConnectorError.upstream("Salesforce refused the update", httpStatus: 400, upstreamCode: "INVALID_FIELD").connector("acme")
        #expect(error.description == "Salesforce refused the update (connector acme, HTTP 400, INVALID_FIELD)")
        #expect(error.isRetryable)
        #expect(ConnectorError.misconfigured("bad", field: "auth.username").isMisconfiguration)
        #expect(!ConnectorError.notFound("x").isRetryable)
    }

    @Test func streamsAreTypedAndACursorOnlyStreamTakesNoRecords() async throws {
        #expect(SyncStream.users.sub("deleted").name == "users-deleted" && SyncStream.users.sub("deleted").records == .users)
        #expect(SyncStream(storedName: "articles-en_US").records == .articles && SyncStream(storedName: "cases-watch").records == nil)
        let store = MemoryStore()
        let user = UserRecord(id: "003A", email: "a@acme.example", firstName: nil, lastName: nil, modifiedAt: Date())
        await #expect(throws: SyncStreamError.self) {
            try await store.commit(RecordBatch(connector: "c", stream: .cursor("cases-watch"), upserts: [.user(user)], checkpoint: "x"))
        }
        try await store.commit(RecordBatch(connector: "c", stream: .cursor("cases-watch"), upserts: [], checkpoint: "x"))
        #expect(try await store.checkpoint(connector: "c", stream: "cases-watch")?.cursor == "x")
    }

    @Test func aChatTokensDescriptionNeverShowsTheToken() throws {
        let token = ChatToken(conversationId: "c1", token: Secret("eyJ-token-value"), expiresAt: Date(timeIntervalSince1970: 0))
        #expect(!"\(token)".contains("eyJ-token-value") && !String(reflecting: token).contains("eyJ-token-value"))
    }

    @Test func settingsObjectKeepsOrderAndFollowsPaths() {
        var inner = SettingsObject()
        inner["username"] = .string("u")
        var outer = SettingsObject()
        outer["b"] = .integer(1)
        outer["auth"] = .object(inner)
        outer["a"] = .secret(SecretReference(.vault, "k"))
        #expect(outer.keys == ["b", "auth", "a"])
        #expect(outer.value(at: "auth.username") == .string("u"))
        #expect(outer.value(at: "auth.missing") == nil)
        #expect(SettingValue.object(outer).description == "{b: 1, auth: {username: u}, a: vault:k}")
        #expect(SettingValue.sensitive(Secret("pw")).description == "<redacted>")
    }
}
