/// One row of an sObject: field values by canonical API name.
public struct SandboxRecord: Sendable, Hashable {
    /// The object's API name.
    public let object: String
    /// Values by canonical field name (absent = null).
    public var values: [String: FieldValue]

    /// Creates a record.
    public init(object: String, values: [String: FieldValue]) {
        self.object = object
        self.values = values
    }

    /// The record id.
    public var id: String {
        if case .string(let id) = values["Id"] { return id }
        return ""
    }

    /// A field value, `.null` when unset.
    public subscript(field: String) -> FieldValue {
        get { values[field] ?? .null }
        set { values[field] = newValue }
    }

    /// Drops the values of fields the object does not have (the org lacks that custom field).
    mutating func keepOnly(_ schema: SObjectSchema) {
        values = values.filter { schema.field($0.key) != nil }
    }

    /// Whether the row is in the Recycle Bin.
    public var isDeleted: Bool { values["IsDeleted"] == .bool(true) }
}

/// Makes 18-character ids the way Salesforce shapes them: a 3-character key prefix, a pod/org
/// part, a counter, and the 3-character case-safe suffix computed from the first 15 characters.
enum SalesforceID {
    static func make(prefix: String, number: Int) -> String {
        var bytes = Array(prefix.utf8) + Array("SBX".utf8)
        var digits = [UInt8](repeating: 48, count: 9)
        var value = number
        for index in stride(from: 8, through: 0, by: -1) {
            digits[index] = UInt8(48 + value % 10)
            value /= 10
        }
        bytes += number >= 1_000_000_000 ? Array(String(number).utf8) : digits
        bytes += suffixBytes(bytes.prefix(15))
        return String(decoding: bytes, as: UTF8.self)
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".utf8)

    /// Whether `text` has an id's shape: 15 or 18 ASCII letters and digits.
    static func isWellFormed(_ text: String) -> Bool {
        (text.utf8.count == 15 || text.utf8.count == 18)
            && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) }
    }

    /// The case-safe suffix: for each 5-character chunk, a bit per uppercase letter.
    static func suffix(_ id15: String) -> String { String(decoding: suffixBytes(Array(id15.utf8).prefix(15)), as: UTF8.self) }

    static func suffixBytes(_ id15: ArraySlice<UInt8>) -> [UInt8] {
        let chars = Array(id15)
        var out: [UInt8] = []
        for chunk in 0..<3 {
            var bits = 0
            for i in 0..<5 where chars[chunk * 5 + i] >= 65 && chars[chunk * 5 + i] <= 90 { bits |= 1 << i }
            out.append(alphabet[bits])
        }
        return out
    }
}
