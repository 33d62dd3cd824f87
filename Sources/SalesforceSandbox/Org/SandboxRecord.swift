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

    /// Whether the row is in the Recycle Bin.
    public var isDeleted: Bool { values["IsDeleted"] == .bool(true) }
}

/// Makes 18-character ids the way Salesforce shapes them: a 3-character key prefix, a pod/org
/// part, a counter, and the 3-character case-safe suffix computed from the first 15 characters.
enum SalesforceID {
    static func make(prefix: String, number: Int) -> String {
        let digits = String(number)
        let body = prefix + "SBX" + String(repeating: "0", count: max(0, 9 - digits.count)) + digits
        return body + suffix(body)
    }

    /// The case-safe suffix: for each 5-character chunk, a bit per uppercase letter.
    static func suffix(_ id15: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")
        let chars = Array(id15)
        var out = ""
        for chunk in 0..<3 {
            var bits = 0
            for i in 0..<5 where chars[chunk * 5 + i].isUppercase { bits |= 1 << i }
            out.append(alphabet[bits])
        }
        return out
    }
}
