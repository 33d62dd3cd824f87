import ConnectorKit
import ConnectorKitTesting
import Foundation
import Logging
import Synchronization
@testable import SwitchboardHost

/// Collects the host's formatted log lines (as the real handler renders them) in memory.
final class CapturedLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var text: String { all.joined(separator: "\n") }
    var output: LogOutput { LogOutput { line in self.lines.withLock { $0.append(line) } } }
}

enum RuntimeHarness {
    /// A logger through the host's own redacting handler, at trace level, into `lines`.
    static func logger(_ lines: CapturedLines, format: LogFormat = .text, redactor: SecretRedactor) -> Logger {
        var logger = Logger(label: "switchboard") { label in
            SwitchboardLogHandler(label: label, format: format, level: .trace, output: lines.output, redactor: redactor)
        }
        logger.logLevel = .trace
        return logger
    }

    /// Polls until `condition` holds, failing after `timeout`.
    static func eventually(_ what: String, timeout: Duration = .seconds(60), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    struct TimedOut: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting for \(what)" }
    }

    /// A configuration of probe connectors: `name: (behavior, features)`.
    static func probeConfiguration(_ connectors: [(String, String, [String])], registry: ModuleRegistry,
                                   extra: String = "", environment: [String: String] = [:], directory: String = NSTemporaryDirectory()) throws -> HostConfiguration {
        var text = "version: 1\nhost:\n  shutdown_timeout: 5s\nconnectors:\n"
        for (name, behavior, features) in connectors {
            text += "  \(name):\n    module: probe\n    features: [\(features.joined(separator: ", "))]\n    behavior: \(behavior)\n    crash_after: 20ms\n"
        }
        text += extra
        return try ConfigLoader(registry: registry, environment: environment).load(text: text, file: "connectors.yaml", baseDirectory: directory)
    }
}
