import Foundation
import Metrics

/// One load of `connectors.yaml` by the running host: generation 1 at start-up, one more with each
/// reload that applied. `/v1/connectors` and `/metrics` show it.
public struct ConfigurationGeneration: Sendable, Hashable, Codable {
    /// 1 at start-up, counting up with each applied reload.
    public var generation: Int
    /// When this generation was loaded.
    public var loadedAt: Date
    /// The configuration file, as the host was told it.
    public var file: String

    /// Creates a generation.
    public init(generation: Int, loadedAt: Date, file: String) {
        self.generation = generation
        self.loadedAt = loadedAt
        self.file = file
    }

    /// Records it in the process's metrics: `switchboard_config_generation` and
    /// `switchboard_config_loaded_timestamp_seconds`.
    func record() {
        Gauge(label: "switchboard_config_generation").record(generation)
        Gauge(label: "switchboard_config_loaded_timestamp_seconds").record(loadedAt.timeIntervalSince1970)
    }
}
