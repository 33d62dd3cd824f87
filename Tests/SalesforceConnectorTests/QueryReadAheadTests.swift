import ConnectorKit
import Foundation
import SalesforceConnector
import SalesforceSandbox
import Testing

/// `SalesforceREST.query(row:page:)`: pages read ahead in a child task, handed over in order,
/// with a bounded read-ahead and errors from either side ending the query.
@Suite("Query pages read ahead")
struct QueryReadAheadTests {
    struct Stop: Error {}

    static func withClient(contacts: Int, _ body: @Sendable (SalesforceSandbox, SalesforceREST) async throws -> Void) async throws {
        try await SalesforceSandbox.withRunning(configuration: SandboxFixture.configuration(contacts: contacts)) { sandbox in
            let transport = SandboxFixture.transport(maxAttempts: 1)
            let auth = try SandboxFixture.auth(await sandbox.baseURL(), transport: transport)
            let rest = SalesforceREST(auth: auth, http: transport, apiVersion: "62.0", connector: "sf")
            do {
                try await body(sandbox, rest)
            } catch {
                try? await transport.shutdown()
                throw error
            }
            try await transport.shutdown()
        }
    }

    static func queryRequests(_ sandbox: SalesforceSandbox) -> Int {
        sandbox.org.stats.requestsByRoute.filter { $0.key.hasPrefix("GET /services/data/v62.0/query") }.values.reduce(0, +)
    }

    @Test func everyPageArrivesInOrderWithTheRowsTheReaderMade() async throws {
        try await Self.withClient(contacts: 1_050) { sandbox, rest in
            // Seeded contacts are stamped in the order of their ids, so (SystemModstamp, Id) order is id order.
            let expected = sandbox.org.records("Contact").filter { !$0.isDeleted }.map(\.id).sorted()
            var pages: [[String]] = []
            var totals: Set<Int> = []
            // Every third record is left out by the row reader; the rest keep their order.
            try await rest.query("SELECT Id, Email FROM Contact ORDER BY SystemModstamp, Id", batchSize: 200, row: { (reader) throws(JSONParser.Failure) -> String? in
                var id: String?
                try reader.readObject { (name, reader) throws(JSONParser.Failure) in
                    if name == "Id" { id = try reader.readString() }
                }
                return id.flatMap { Int($0.dropFirst(6).prefix(9))! % 3 == 0 ? nil : $0 }
            }) { page in
                pages.append(page.rows)
                totals.insert(page.totalSize)
            }
            #expect(pages.count == 6)
            #expect(totals == [1_050])
            #expect(pages.flatMap { $0 } == expected.filter { Int($0.dropFirst(6).prefix(9))! % 3 != 0 })
            #expect(Self.queryRequests(sandbox) == 6)
        }
    }

    /// While the consumer holds the first page, the reader fetches only the pages it may hold
    /// ahead, not the whole result; the consumer's error then ends the query.
    @Test func readAheadIsBoundedAndAConsumerErrorEndsTheQuery() async throws {
        try await Self.withClient(contacts: 2_000) { sandbox, rest in
            var handed = 0
            var fetchedWhileHeld = 0
            await #expect(throws: Stop.self) {
                try await rest.query("SELECT Id FROM Contact ORDER BY SystemModstamp, Id", batchSize: 200,
                                     row: { (reader) throws(JSONParser.Failure) in try reader.readValue() }) { _ in
                    handed += 1
                    if handed == 1 {
                        // The first page plus the two read ahead; then time for a reader without a
                        // bound to fetch the other seven (a negative needs a wait; a slow machine
                        // can only make this pass wrongly, never fail wrongly).
                        while Self.queryRequests(sandbox) < 3 { try await Task.sleep(for: .milliseconds(5)) }
                        try await Task.sleep(for: .milliseconds(300))
                        fetchedWhileHeld = Self.queryRequests(sandbox)
                    }
                    if handed == 2 { throw Stop() }
                }
            }
            #expect(handed == 2)
            #expect(fetchedWhileHeld == 3, "fetched \(fetchedWhileHeld) of 10 pages while the first was held")
            #expect(Self.queryRequests(sandbox) <= 4)
        }
    }

    /// A page the server breaks (an answer that is not JSON) ends the query with that error after
    /// the pages before it were handed over.
    @Test func aBadPageEndsTheQueryAfterThePagesBeforeIt() async throws {
        try await Self.withClient(contacts: 1_000) { sandbox, rest in
            var handed = 0
            // A row reader that refuses the fourth page's records (as a malformed answer would be).
            let error = await #expect(throws: SalesforceAPIError.self) {
                try await rest.query("SELECT Id FROM Contact ORDER BY SystemModstamp, Id", batchSize: 200, row: { (reader) throws(JSONParser.Failure) -> String? in
                    var id: String?
                    try reader.readObject { (name, reader) throws(JSONParser.Failure) in
                        if name == "Id" { id = try reader.readString() }
                    }
                    if let id, Int(id.dropFirst(6).prefix(9))! > 600 { _ = try JSONReader.read(Array("{".utf8)) { (reader) throws(JSONParser.Failure) in try reader.readValue() } }
                    return id
                }) { _ in handed += 1 }
            }
            #expect(error?.errorCode == "UNEXPECTED_RESPONSE")
            #expect(handed == 3)
        }
    }
}
