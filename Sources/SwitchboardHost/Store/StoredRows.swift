import ConnectorKit
import Foundation
import Synchronization

/// What both host stores (SQLite and PostgreSQL) write and read the same way: the table a stream
/// writes, a user's fields and a handoff's request as JSON text, and the clock of `synced_at`.
public enum StoredRows {
    /// The table of a stream: `users` and `articles`, or a sub-stream of them with its own cursor
    /// (`users-deleted`, `articles-en_US`).
    /// - Throws: ``StoreError/unknownStream(_:)`` for a stream that keeps no records.
    public static func table(for stream: String) throws -> String {
        for table in ["users", "articles"] where stream == table || stream.hasPrefix(table + "-") { return table }
        throw StoreError.unknownStream(stream)
    }

    /// `{"a":"1","b":"2"}` with sorted keys (JSONEncoder costs more than the insert itself here).
    public static func fieldsJSON(_ fields: [String: String]) -> String {
        String(decoding: fieldsJSONBytes(fields), as: UTF8.self)
    }

    /// The bytes of ``fieldsJSON(_:)``, written directly.
    public static func fieldsJSONBytes(_ fields: [String: String]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(16 * fields.count + 2)
        for (index, field) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.writeString(field.key, into: &out)
            out.append(UInt8(ascii: ":"))
            JSONValue.writeString(field.value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The fields ``fieldsJSON(_:)`` wrote (none when the text is not such an object).
    public static func fields(fromJSON text: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }

    /// A handoff's request as stored: stable JSON.
    public static func requestJSON(_ record: HandoffRecord) throws -> String {
        String(decoding: try JSONEncoder.sorted.encode(record.request), as: UTF8.self)
    }

    /// The request ``requestJSON(_:)`` wrote.
    public static func request(fromJSON text: String) throws -> HandoffRequest {
        try JSONDecoder().decode(HandoffRequest.self, from: Data(text.utf8))
    }
}

/// The time written into rows' `synced_at`: the wall clock, but never before a time already
/// written by this store (a clock stepped back must not make a full sync's reconciliation take
/// rows it just wrote for old ones).
public final class WriteClock: Sendable {
    private let last = Mutex<Double>(0)

    /// A clock that has written nothing yet.
    public init() {}

    /// Now, or the last time given when the wall clock is behind it.
    public func now() -> Double {
        last.withLock { last in
            last = max(last, Date().timeIntervalSince1970)
            return last
        }
    }
}
