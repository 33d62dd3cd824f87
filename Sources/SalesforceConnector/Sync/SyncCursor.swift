import Foundation

/// An incremental cursor: the last record's `(SystemModstamp, Id)`, stored as `stamp|id`.
///
/// Rows are read in `(SystemModstamp, Id)` order, and a run resumes with
/// `SystemModstamp >= (stamp − overlap)`, the start rounded down to the whole second: Salesforce
/// stamps whole seconds and a transaction's rows become visible when it commits, so a row committed
/// after the cursor was taken can carry the cursor's own second (or an earlier one) and a lower Id.
/// A strict `(SystemModstamp, Id) >` cursor would skip it until the next full read; re-reading the
/// overlap costs a few rows per run, and every consumer's writes are idempotent (upserts by id, ticket
/// events de-duplicated). No Id literal is ever sent: an empty one (`Id > ''`) is an error on a real
/// org (`INVALID_QUERY_FILTER_OPERATOR`).
public struct SyncCursor: Sendable, Hashable, CustomStringConvertible {
    /// The SystemModstamp of the last row read.
    public var modstamp: Date
    /// Its Id (empty for a cursor that precedes every row).
    public var id: String

    /// How far behind the cursor an incremental read starts again, by default.
    public static let defaultOverlap: Duration = .seconds(10)

    /// Creates a cursor.
    public init(modstamp: Date, id: String) {
        self.modstamp = modstamp
        self.id = id
    }

    /// The cursor before every row.
    public static let origin = SyncCursor(modstamp: Date(timeIntervalSince1970: 0), id: "")

    /// Parses `stamp|id` (as stored).
    public init?(_ text: String) {
        let parts = text.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let date = SalesforceDateTime.parse(String(parts[0])) else { return nil }
        self.init(modstamp: date, id: String(parts[1]))
    }

    public var description: String { "\(SalesforceDateTime.format(modstamp))|\(id)" }

    /// The first second an incremental read covers: the cursor's stamp less `overlap`, rounded
    /// down to the whole second (never before 1970).
    public func readStart(overlap: Duration) -> Date {
        let seconds = modstamp.timeIntervalSince1970 - Double(overlap.components.seconds) - Double(overlap.components.attoseconds) / 1e18
        return Date(timeIntervalSince1970: max(0, seconds.rounded(.down)))
    }

    /// The SOQL condition for an incremental read after this cursor, `overlap` re-read.
    public func soqlCondition(overlap: Duration) -> String {
        "SystemModstamp >= \(SOQLText.dateTimeSeconds(readStart(overlap: overlap)))"
    }

    /// Whether a row read again lies at or behind this cursor (it was covered by an earlier run,
    /// unless it committed late).
    public func covers(modstamp: Date, id: String) -> Bool {
        modstamp != self.modstamp ? modstamp < self.modstamp : id <= self.id
    }
}
