import ConnectorKit
import Foundation

/// The sync checks, per sync feature: a second run changes nothing, and a failed write never loses
/// records (the checkpoint moves only with the records it covers).
struct SyncConformance: Sendable {
    let run: ConformanceRun
    let harness: ConnectorHarness

    typealias Sync = @Sendable (any Connector) async throws -> SyncReport

    func results(enabled: [Feature]) async -> [ConformanceResult] {
        // Every sync the connector offers for an enabled feature: built-in or the module's own.
        let features = ((try? harness.makeConnector())?.syncs ?? []).map(\.feature).filter { enabled.contains($0) }
        var results: [ConformanceResult] = []
        for feature in features {
            results += await check(feature) { connector in
                guard let sync = connector.syncs.first(where: { $0.feature == feature }) else {
                    throw ConnectorError.misconfigured("the connector no longer offers the \(feature) sync")
                }
                return try await sync.run(.incremental) { _ in }
            }
        }
        if results.isEmpty {
            let none = ConformanceOutcome.notApplicable("no sync feature is enabled in the example")
            results = [ConformanceResult(.rerunChangesNothing, none), ConformanceResult(.checkpointAfterWrite, none)]
        }
        return results
    }

    private func runOnce(_ connector: any Connector, _ sync: @escaping Sync, place: String) async -> Result<SyncReport, any Error>? {
        let outcome = await finishing(within: run.options.syncTimeout) { try await sync(connector) }
        if case .failure(let error)? = outcome { run.observed.note(error: error, place: place) }
        return outcome
    }

    private func check(_ feature: Feature, _ sync: @escaping Sync) async -> [ConformanceResult] {
        let name = feature.rawValue
        func both(_ outcome: ConformanceOutcome) -> [ConformanceResult] {
            [ConformanceResult(.rerunChangesNothing, feature: name, outcome), ConformanceResult(.checkpointAfterWrite, feature: name, outcome)]
        }
        let store = RecordingStore()
        let connector: any Connector
        do { connector = try harness.makeConnector(store: store) } catch { return both(.failed("makeConnector threw: \(error)")) }
        switch await runOnce(connector, sync, place: "the first \(name) run") {
        case nil: return both(.failed("the first run took longer than \(run.options.syncTimeout.shown)"))
        case .failure(let error) where isNotImplemented(error): return both(.notImplemented(String(describing: error)))
        case .failure(let error): return both(.failed("the first run threw: \(error)"))
        case .success: break
        }
        let connectorName = harness.configuration.name
        let first = store.records(connector: connectorName)
        let firstCommits = store.commits.count
        var results: [ConformanceResult] = []

        switch await runOnce(connector, sync, place: "the second \(name) run") {
        case nil: results.append(ConformanceResult(.rerunChangesNothing, feature: name, .failed("the second run took longer than \(run.options.syncTimeout.shown)")))
        case .failure(let error): results.append(ConformanceResult(.rerunChangesNothing, feature: name, .failed("the second run threw: \(error)")))
        case .success:
            let second = store.records(connector: connectorName)
            let rewritten = store.commits.dropFirst(firstCommits).reduce(0) { $0 + $1.upserts.count }
            let difference = Self.difference(first, second)
            results.append(ConformanceResult(.rerunChangesNothing, feature: name, difference.isEmpty
                ? .passed("\(Self.count(first)) records stored; the second run changed none" + (rewritten > 0 ? " (it re-read \(rewritten) unchanged)" : ""))
                : .failed("with nothing new upstream, the second run " + difference)))
        }
        results.append(await checkpointAfterWrite(name, sync, expected: first, commits: firstCommits))
        return results
    }

    /// For a few positions k, fails the k-th commit of a fresh run, then runs again: every record of
    /// the clean run must be stored. A module that moved its checkpoint before (or without) the
    /// records it covers skips them on the second run.
    private func checkpointAfterWrite(_ name: String, _ sync: @escaping Sync, expected: [String: [String: SyncRecord]], commits: Int) async -> ConformanceResult {
        guard commits > 0, Self.count(expected) > 0 else {
            return ConformanceResult(.checkpointAfterWrite, feature: name, .notApplicable("the first run stored no records; give the example data to sync"))
        }
        let positions = Self.positions(commits: commits, count: run.options.commitFailurePositions)
        for position in positions {
            let store = RecordingStore()
            store.failCommits([position])
            let connector: any Connector
            do { connector = try harness.makeConnector(store: store) } catch { return ConformanceResult(.checkpointAfterWrite, feature: name, .failed("makeConnector threw: \(error)")) }
            let failed = await runOnce(connector, sync, place: "a \(name) run whose write failed")
            if case .success? = failed {
                return ConformanceResult(.checkpointAfterWrite, feature: name, .failed("commit #\(position) failed but the run reported success: a store error must fail the sync"))
            }
            store.failCommits([])
            let rerun: any Connector
            do { rerun = try harness.makeConnector(store: store) } catch { return ConformanceResult(.checkpointAfterWrite, feature: name, .failed("makeConnector threw: \(error)")) }
            let again = await runOnce(rerun, sync, place: "the \(name) run after a failed write")
            guard case .success? = again else {
                return ConformanceResult(.checkpointAfterWrite, feature: name, .failed("after commit #\(position) failed, the next run did not complete"))
            }
            let stored = store.records(connector: harness.configuration.name)
            let missing = Self.count(expected) - Self.count(stored, expected: expected)
            if missing > 0 {
                return ConformanceResult(.checkpointAfterWrite, feature: name, .failed(
                    "after commit #\(position) of \(commits) failed, the next run stored \(Self.count(expected) - missing) of \(Self.count(expected)) records: the checkpoint moved ahead of records that were never written"))
            }
        }
        return ConformanceResult(.checkpointAfterWrite, feature: name, .passed(
            "a failed commit at position \(positions.map(String.init).joined(separator: ", ")) of \(commits) lost nothing on the next run"))
    }

    static func positions(commits: Int, count: Int) -> [Int] {
        guard commits > count else { return Array(1...commits) }
        return Array(Set((0..<count).map { 1 + $0 * (commits - 1) / max(count - 1, 1) })).sorted()
    }

    static func count(_ records: [String: [String: SyncRecord]]) -> Int { records.values.reduce(0) { $0 + $1.count } }

    static func count(_ records: [String: [String: SyncRecord]], expected: [String: [String: SyncRecord]]) -> Int {
        expected.reduce(0) { total, table in total + table.value.keys.filter { records[table.key]?[$0] != nil }.count }
    }

    /// What changed between two snapshots, in words, or "" when nothing did.
    static func difference(_ before: [String: [String: SyncRecord]], _ after: [String: [String: SyncRecord]]) -> String {
        var added = 0, removed = 0, changed = 0
        for table in Set(before.keys).union(after.keys) {
            let old = before[table] ?? [:], new = after[table] ?? [:]
            added += new.keys.filter { old[$0] == nil }.count
            removed += old.keys.filter { new[$0] == nil }.count
            changed += new.filter { old[$0.key] != nil && old[$0.key] != $0.value }.count
        }
        let parts = [(added, "added"), (removed, "removed"), (changed, "changed")].filter { $0.0 > 0 }.map { "\($0.1) \($0.0) records" }
        return parts.joined(separator: ", ")
    }
}
