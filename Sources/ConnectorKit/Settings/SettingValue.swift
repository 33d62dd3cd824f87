import struct Foundation.URL

/// A validated setting value, typed by its ``SettingType``.
public indirect enum SettingValue: Sendable, Hashable, CustomStringConvertible {
    /// Text.
    case string(String)
    /// A whole number.
    case integer(Int)
    /// true or false.
    case boolean(Bool)
    /// A duration.
    case duration(Duration)
    /// An absolute URL.
    case url(URL)
    /// A bare keyword a URL field accepts instead of a URL (`sandbox`).
    case keyword(String)
    /// A reference to a secret, resolved at use.
    case secret(SecretReference)
    /// Sensitive text given literally; shown as `<redacted>`.
    case sensitive(Secret)
    /// A list.
    case list([SettingValue])
    /// A nested mapping.
    case object(SettingsObject)

    /// The string, for `.string`, `.keyword` and enumeration values.
    public var stringValue: String? {
        switch self {
        case .string(let s), .keyword(let s): s
        default: nil
        }
    }
    /// The integer, for `.integer`.
    public var integerValue: Int? { if case .integer(let v) = self { v } else { nil } }
    /// The boolean, for `.boolean`.
    public var booleanValue: Bool? { if case .boolean(let v) = self { v } else { nil } }
    /// The duration, for `.duration`.
    public var durationValue: Duration? { if case .duration(let v) = self { v } else { nil } }
    /// The URL, for `.url`.
    public var urlValue: URL? { if case .url(let v) = self { v } else { nil } }
    /// The secret reference, for `.secret`.
    public var secretValue: SecretReference? { if case .secret(let v) = self { v } else { nil } }
    /// The items, for `.list`.
    /// The text of a sensitive setting (`sensitiveString`): written literally, or a reference that
    /// `resolve` reads at the moment of use. Nil for any other kind of value.
    public func sensitiveText(resolve: (SecretReference) throws -> String) throws -> String? {
        switch self {
        case .sensitive(let secret): try secret.revealedString()
        case .string(let text): text
        case .secret(let reference): try resolve(reference)
        default: nil
        }
    }

    public var listValue: [SettingValue]? { if case .list(let v) = self { v } else { nil } }
    /// The nested settings, for `.object` (and `.map`).
    public var objectValue: SettingsObject? { if case .object(let v) = self { v } else { nil } }

    /// A display form. Secrets show their reference (`vault:NAME`), never a value.
    public var description: String {
        switch self {
        case .string(let s), .keyword(let s): s
        case .integer(let v): String(v)
        case .boolean(let v): String(v)
        case .duration(let d): DurationFormat.format(d)
        case .url(let u): u.absoluteString
        case .secret(let r): r.description
        case .sensitive: "<redacted>"
        case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object(let o): "{" + o.keys.map { "\($0): \(o[$0]!.description)" }.joined(separator: ", ") + "}"
        }
    }
}

/// An ordered mapping of setting names to values, as written in the file.
public struct SettingsObject: Sendable, Hashable {
    /// The keys, in file order (defaults after the written keys).
    public private(set) var keys: [String] = []
    private var values: [String: SettingValue] = [:]

    /// Creates an empty object.
    public init() {}

    /// The value of a key.
    public subscript(key: String) -> SettingValue? {
        get { values[key] }
        set {
            if newValue != nil, values[key] == nil { keys.append(key) }
            if newValue == nil { keys.removeAll { $0 == key } }
            values[key] = newValue
        }
    }

    /// Follows a dotted path of keys (`"auth.username"`).
    public func value(at path: String) -> SettingValue? {
        var parts = path.split(separator: ".").map(String.init)
        guard !parts.isEmpty else { return nil }
        let last = parts.removeLast()
        var object = self
        for part in parts {
            guard let next = object[part]?.objectValue else { return nil }
            object = next
        }
        return object[last]
    }
}
