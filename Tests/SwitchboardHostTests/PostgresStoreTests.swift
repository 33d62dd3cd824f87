import ConnectorKit
import Foundation
import SwitchboardHost
import SwitchboardPostgres
import Testing

/// What only the PostgreSQL store does: several hosts (here, several stores — each its own pool and
/// listener, as each host process has) on one database.
@Suite("PostgreSQL store: several hosts on one database")
struct PostgresStoreTests {
    static func ticket(_ n: Int, connector: String) -> ConnectorEvent {
        ConnectorEvent(connector: connector, payload: .ticket(TicketEvent(ticketId: "500X\(n)", requesterEmail: "ada@acme.example",
                                                                          kind: .statusChanged(from: nil, to: "New"), occurredAt: Date())))
    }

    /// A reader on one host wakes when another host appends (LISTEN/NOTIFY, no polling), and ids
    /// appended concurrently from two hosts come out gap-free and in commit order.
    @Test(.enabled(if: SharedStoreTests.postgresURL != nil), .timeLimit(.minutes(1))) func appendsOnOneHostWakeReadersOnAnother() async throws {
        try await SharedStoreTests.withScratchDatabase(try #require(SharedStoreTests.postgresURL)) { location in
            try await PostgresStore.withStore(location, password: nil, logger: SharedStoreTests.quiet) { first in
                try await PostgresStore.withStore(location, password: nil, logger: SharedStoreTests.quiet) { second in
                    try await Self.crossHost(first, second)
                }
            }
        }
    }

    static func crossHost(_ first: PostgresStore, _ second: PostgresStore) async throws {
        // A waiter on the second host, an append on the first.
        async let woke: Void = second.waitForEvent(after: 0)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await first.emit(ticket(0, connector: "a")) == 1)
        try await woke
        // Both hosts append at once; a reader following the log never skips an id.
        async let appendedA: Void = append(first, connector: "a")
        async let appendedB: Void = append(second, connector: "b")
        var seen: [Int64] = []
        var cursor: Int64 = 1
        while cursor < 81 {
            let page = try await second.events(after: cursor, subject: nil, limit: 500)
            seen += page.map(\.id)
            if let last = page.last { cursor = last.id } else { try await second.waitForEvent(after: cursor) }
        }
        try await appendedA
        try await appendedB
        #expect(seen == Array(2...81), "every id once, in order")
        #expect(try await first.events(after: 0, subject: nil, limit: 500).map(\.id) == Array(1...81))
    }

    static func append(_ store: PostgresStore, connector: String) async throws {
        for n in 1...40 { _ = try await store.emit(ticket(n, connector: connector)) }
    }

    /// Two hosts starting together migrate once (the advisory lock); a restart finds nothing to do.
    @Test(.enabled(if: SharedStoreTests.postgresURL != nil), .timeLimit(.minutes(1))) func hostsStartingTogetherMigrateOnce() async throws {
        try await SharedStoreTests.withScratchDatabase(try #require(SharedStoreTests.postgresURL)) { location in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        try await PostgresStore.withStore(location, password: nil, logger: SharedStoreTests.quiet) { store in
                            _ = try await store.latestEventID()
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await PostgresStore.withStore(location, password: nil, logger: SharedStoreTests.quiet) { store in
                let count = try await store.count(connector: "x", stream: "users")
                #expect(count == 0)
            }
        }
    }

    @Test func aLocationNeverCarriesItsPassword() throws {
        #expect(throws: ConnectorError.self) { try PostgresLocation(url: "postgres://sb:secret@db:5432/switchboard") }
        let location = try PostgresLocation(url: "postgresql://sb@db.internal:6543/state?sslmode=require")
        #expect(location.description == "postgres://sb@db.internal:6543/state" && location.tls == .require)
        #expect(throws: ConnectorError.self) { try PostgresLocation(url: "postgres://sb@db/") }
        #expect(throws: ConnectorError.self) { try PostgresLocation(url: "postgres://sb@db/x?sslmode=verify-full") }
    }
}
