import ConnectorKit

/// Which connectors and features `switchboard run --features … --only …` runs.
public struct ConnectorSelection: Sendable, Hashable {
    /// Only these features (all when `nil`).
    public var features: Set<Feature>?
    /// Only these connector instances (all when `nil`).
    public var connectors: Set<String>?

    /// Creates a selection; `nil` means everything.
    public init(features: Set<Feature>? = nil, connectors: Set<String>? = nil) {
        self.features = features
        self.connectors = connectors
    }

    /// Everything in the configuration.
    public static let all = ConnectorSelection()

    /// The connectors to run, each narrowed to the selected features; connectors left with no
    /// feature are not run.
    /// - Throws: ``ConnectorError`` naming any selected connector or feature the configuration lacks.
    public func apply(to configurations: [ConnectorConfiguration]) throws -> [ConnectorConfiguration] {
        if let connectors {
            let unknown = connectors.subtracting(configurations.map(\.name)).sorted()
            guard unknown.isEmpty else {
                throw ConnectorError.invalidRequest(
                    "--only names connectors that are not configured: \(unknown.joined(separator: ", ")); configured: "
                        + (configurations.isEmpty ? "none" : configurations.map(\.name).joined(separator: ", ")))
            }
        }
        let chosen = configurations.filter { connectors?.contains($0.name) ?? true }
        if let features {
            let available = Set(chosen.flatMap(\.features))
            let missing = features.subtracting(available).map(\.rawValue).sorted()
            guard missing.isEmpty else {
                throw ConnectorError.invalidRequest(
                    "--features names features no selected connector enables: \(missing.joined(separator: ", ")); enabled: "
                        + (available.isEmpty ? "none" : available.map(\.rawValue).sorted().joined(separator: ", ")))
            }
        }
        return chosen.compactMap { configuration in
            var narrowed = configuration
            if let features { narrowed.features = configuration.features.filter(features.contains) }
            return narrowed.features.isEmpty ? nil : narrowed
        }
    }
}
