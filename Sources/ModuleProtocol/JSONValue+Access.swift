import ConnectorKit

extension JSONValue {
    /// An object from name–value pairs, in order; `nil` values are left out.
    public static func object(_ pairs: [(String, JSONValue?)]) -> JSONValue {
        .object(pairs.compactMap { name, value in value.map { JSONMember(name, $0) } })
    }

    /// The members of an object.
    public var members: [JSONMember]? { if case .object(let members) = self { members } else { nil } }
    /// The items of an array.
    public var arrayValue: [JSONValue]? { if case .array(let items) = self { items } else { nil } }
    /// A boolean.
    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    /// Whether it is `null`.
    public var isNull: Bool { if case .null = self { true } else { false } }
    /// A string-to-string object.
    public var stringMap: [String: String]? {
        members.map { Dictionary($0.compactMap { member in member.value.stringValue.map { (member.name, $0) } }, uniquingKeysWith: { $1 }) }
    }
}
