import Foundation

/// An incremental cursor: the last record's `(SystemModstamp, Id)`, stored as `stamp|id`. Rows are
/// read in that order and resumed with `SystemModstamp > stamp OR (SystemModstamp = stamp AND Id > 'id')`,
/// so rows that share a timestamp are neither lost nor read twice.
public struct SyncCursor: Sendable, Hashable, CustomStringConvertible {
    /// The SystemModstamp of the last row read.
    public var modstamp: Date
    /// Its Id.
    public var id: String

    /// Creates a cursor.
    public init(modstamp: Date, id: String) {
        self.modstamp = modstamp
        self.id = id
    }

    /// Parses `stamp|id` (as stored).
    public init?(_ text: String) {
        let parts = text.split(separator: "|", maxSplits: 1)
        guard parts.count == 2, let date = SalesforceDateTime.parse(String(parts[0])) else { return nil }
        self.init(modstamp: date, id: String(parts[1]))
    }

    public var description: String { "\(SalesforceDateTime.format(modstamp))|\(id)" }

    /// The SOQL condition for rows after this cursor.
    public var soqlCondition: String {
        let stamp = SOQLText.dateTime(modstamp)
        return "(SystemModstamp > \(stamp) OR (SystemModstamp = \(stamp) AND Id > \(SOQLText.quote(id))))"
    }
}
