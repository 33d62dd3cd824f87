import ConnectorKit

/// One problem found in a configuration file, with where it is and which field it concerns:
/// `connectors.yaml:12:7: connectors.acme.auth.username: missing required key`.
public struct ConfigDiagnostic: Error, Sendable, Hashable, CustomStringConvertible, Comparable {
    /// Whether the host refuses to start because of it.
    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    /// Where, when known (syntax errors have a place but sometimes no field).
    public var location: SourceLocation?
    /// The file, for problems that have no line (the file is missing).
    public var file: String
    /// The dotted field path (`connectors.acme.auth.username`), when the problem concerns a field.
    public var path: String?
    /// What is wrong and what is expected. Never contains a secret value.
    public var message: String
    /// Error or warning.
    public var severity: Severity

    /// Creates a diagnostic.
    public init(file: String, location: SourceLocation?, path: String?, message: String, severity: Severity = .error) {
        self.file = file
        self.location = location
        self.path = path
        self.message = message
        self.severity = severity
    }

    public var description: String {
        var text = location?.description ?? file
        text += ": "
        if severity == .warning { text += "warning: " }
        if let path, !path.isEmpty { text += "\(path): " }
        return text + message
    }

    public static func < (lhs: ConfigDiagnostic, rhs: ConfigDiagnostic) -> Bool {
        let l = (lhs.location?.line ?? 0, lhs.location?.column ?? 0)
        let r = (rhs.location?.line ?? 0, rhs.location?.column ?? 0)
        return l != r ? l < r : lhs.description < rhs.description
    }
}

/// The configuration could not be used: every error found, at once, in file order.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// All problems, errors and warnings, sorted by position.
    public var diagnostics: [ConfigDiagnostic]

    /// The errors only.
    public var errors: [ConfigDiagnostic] { diagnostics.filter { $0.severity == .error } }

    /// Creates an error from its diagnostics.
    public init(diagnostics: [ConfigDiagnostic]) { self.diagnostics = diagnostics.sorted() }

    public var description: String {
        let count = errors.count
        return diagnostics.map(\.description).joined(separator: "\n")
            + "\n\(count) error\(count == 1 ? "" : "s") in \(diagnostics.first?.file ?? "configuration")"
    }
}
