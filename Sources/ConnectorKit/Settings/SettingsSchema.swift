/// The settings a module accepts: an ordered list of fields, each with a type, whether it is
/// required, an optional default and a one-line summary. The host validates `connectors.yaml`
/// against it (every error at once, with line and column) and `switchboard modules` prints it.
public struct SettingsSchema: Sendable, Hashable {
    /// The fields, in documentation order.
    public var fields: [SettingField]

    /// Creates a schema from its fields.
    public init(_ fields: [SettingField]) { self.fields = fields }

    /// An empty schema: no settings besides `module` and `features`.
    public static let empty = SettingsSchema([])

    /// The field with a given key.
    public func field(named name: String) -> SettingField? { fields.first { $0.name == name } }
}

/// One setting: a key, its type, and what it is for.
public struct SettingField: Sendable, Hashable {
    /// The YAML key.
    public var name: String
    /// The expected type.
    public var type: SettingType
    /// Whether the key must be present (a field with a default is never required).
    public var isRequired: Bool
    /// The value used when the key is absent.
    public var defaultValue: SettingValue?
    /// One line that says what the setting does.
    public var summary: String
    /// When set, the section only matters (and is only required) if this feature is enabled.
    public var feature: Feature?

    /// Creates a field. A field with a `defaultValue` is optional.
    public init(
        _ name: String, _ type: SettingType, required: Bool = false, default defaultValue: SettingValue? = nil,
        feature: Feature? = nil, summary: String
    ) {
        self.name = name
        self.type = type
        self.isRequired = required && defaultValue == nil
        self.defaultValue = defaultValue
        self.summary = summary
        self.feature = feature
    }
}

/// The type of a setting, which decides how its YAML value is read and checked.
public indirect enum SettingType: Sendable, Hashable, CustomStringConvertible {
    /// Any non-empty string.
    case string
    /// A whole number within an optional inclusive range.
    case integer(min: Int? = nil, max: Int? = nil)
    /// `true` or `false`.
    case boolean
    /// A duration such as `500ms`, `60s`, `15m`, `1h30m`, `2d`.
    case duration
    /// An absolute URL with one of the schemes; `keywords` are bare words also accepted (`sandbox`).
    case url(schemes: [String] = ["https", "http"], keywords: [String] = [])
    /// One of a fixed set of words.
    case oneOf([String])
    /// A network address `HOST:PORT` (`127.0.0.1:8710`, `[::1]:8710`).
    case address
    /// A file or folder path, relative to the configuration file's folder unless absolute; the value
    /// is the absolute path. With `mustExist`, `validate` reports one that does not exist.
    case path(mustExist: Bool)
    /// A reference to a secret: `env:NAME`, `file:PATH` or `vault:NAME`. Literal secrets are refused.
    case secret
    /// Sensitive text given literally (usually through `${VAR}`) or as a secret reference; never shown.
    case sensitiveString
    /// A YAML sequence whose items all have the element type.
    case list(SettingType)
    /// A nested mapping with its own fields; unknown keys are errors.
    case object(SettingsSchema)
    /// A mapping with free keys whose values all have the element type.
    case map(SettingType)

    public var description: String {
        switch self {
        case .string: "string"
        case .integer(let min, let max):
            switch (min, max) {
            case (let lo?, let hi?): "integer \(lo)…\(hi)"
            case (let lo?, nil): "integer ≥ \(lo)"
            case (nil, let hi?): "integer ≤ \(hi)"
            case (nil, nil): "integer"
            }
        case .boolean: "boolean"
        case .duration: "duration (e.g. 30s, 15m, 1h)"
        case .url(let schemes, let keywords):
            "URL (\(schemes.joined(separator: "/")))" + (keywords.isEmpty ? "" : " or " + keywords.joined(separator: ", "))
        case .oneOf(let words): "one of: " + words.joined(separator: ", ")
        case .address: "address HOST:PORT"
        case .path(let mustExist): mustExist ? "path to an existing file (relative to the configuration's folder)" : "path (relative to the configuration's folder)"
        case .secret: "secret reference (env:NAME, file:PATH or vault:NAME)"
        case .sensitiveString: "sensitive text or secret reference (never shown)"
        case .list(let element): "list of \(element)"
        case .object: "mapping"
        case .map(let element): "mapping of name → \(element)"
        }
    }
}
