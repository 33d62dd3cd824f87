import ConnectorKit
import Foundation
import Logging
import SwitchboardHost
import SwitchboardPostgres

/// SyncLoad's PostgreSQL figures, beside SQLite's from the same run.
enum PostgresBench {
    static let quiet = Logger(label: "pg-bench", factory: { _ in SwiftLogNoOpLogHandler() })
    static let server = ProcessInfo.processInfo.environment["SYNCLOAD_POSTGRES"] ?? ""

    static func psql(_ url: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", url, "-q", "-c", sql]
        try process.run()
        process.waitUntilExit()
    }

    /// A scratch database on `server` for `body`, dropped afterwards.
    static func withDatabase(_ server: String, _ body: (PostgresLocation) async throws -> Void) async throws {
        let name = "sb_bench_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql(server, "CREATE DATABASE \(name)")
        defer { try? psql(server, "DROP DATABASE \(name) WITH (FORCE)") }
        var location = try PostgresLocation(url: server)
        location.database = name
        try await body(location)
    }

    static func run(server: String, batches: [RecordBatch], sync: @escaping @Sendable (any RecordSink) async throws -> SyncReport) async throws {
        try await withDatabase(server) { location in
            try await PostgresStore.withStore(location, password: nil, logger: quiet) { store in
                let (report, seconds, cpu) = try await timed { try await sync(store) }
                print(String(format: "PostgreSQL contact sync: %d contacts, %.2f s (%.2f s CPU here) → %.0f contacts/s",
                             report.upserted, seconds, cpu, Double(report.upserted) / seconds))
            }
        }
        try await withDatabase(server) { location in
            try await PostgresStore.withStore(location, password: nil, logger: quiet) { store in
                let count = batches.reduce(0) { $0 + $1.upserts.count }
                let (_, seconds, cpu) = try await timed { for batch in batches { _ = try await store.commit(batch) } }
                print(String(format: "  PostgreSQL store commits alone: %.2f s (%.0f/s, %.2f s CPU here)", seconds, Double(count) / seconds, cpu))
            }
        }
    }

    /// Append → a reader woken on another host: p50/p99 over 1,000 events (SQLite: the same process).
    static func eventLatency(sqlite: SQLiteStore) async throws {
        @Sendable func measure(_ writer: any HostStore, _ reader: any HostStore) async throws -> [Duration] {
            var latencies: [Duration] = []
            for n in 0..<1000 {
                let last = try await reader.latestEventID()
                let started = ContinuousClock.now
                async let woke: Void = reader.waitForEvent(after: last)
                _ = try await writer.emit(ConnectorEvent(connector: "bench", payload: .ticket(TicketEvent(
                    ticketId: "500X\(n)", requesterEmail: nil, kind: .statusChanged(from: nil, to: "New"), occurredAt: Date()))))
                try await woke
                latencies.append(ContinuousClock.now - started)
            }
            return latencies.sorted()
        }
        @Sendable func ms(_ d: Duration) -> String { String(format: "%.2f ms", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000) }
        let local = try await measure(sqlite, sqlite)
        print("event append → wake-up, SQLite (one host): p50 \(ms(local[500])), p99 \(ms(local[990]))")
        try await withDatabase(server) { location in
            try await PostgresStore.withStore(location, password: nil, logger: quiet) { first in
                try await PostgresStore.withStore(location, password: nil, logger: quiet) { second in
                    let across = try await measure(first, second)
                    print("event append → wake-up, PostgreSQL (another host's store): p50 \(ms(across[500])), p99 \(ms(across[990]))")
                }
            }
        }
    }
}
