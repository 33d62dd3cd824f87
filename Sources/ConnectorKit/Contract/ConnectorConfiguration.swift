/// A connector instance as declared in `connectors.yaml`, after validation against its module's schema.
public struct ConnectorConfiguration: Sendable, Hashable {
    /// The instance name: the key under `connectors:` (`acme-salesforce`).
    public var name: String
    /// The module name (`salesforce`).
    public var module: String
    /// The enabled features, in the order written.
    public var features: [Feature]
    /// The module settings, validated and with defaults applied. Secret fields hold references only.
    public var settings: SettingsObject
    /// Where the instance was declared, for messages (`connectors.yaml:12:3`).
    public var location: SourceLocation?

    /// Creates a configuration.
    public init(
        name: String, module: String, features: [Feature], settings: SettingsObject,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.module = module
        self.features = features
        self.settings = settings
        self.location = location
    }

    /// Whether a feature is enabled on this instance.
    public func isEnabled(_ feature: Feature) -> Bool { features.contains(feature) }
}

/// A position in a configuration file, 1-based.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column.
    public var column: Int

    /// Creates a location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}
