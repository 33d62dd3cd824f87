import Logging
import Synchronization

/// Collects log records in memory, for asserting on what a connector logged (and did not).
///
/// Use ``makeLogger(label:level:)`` to get a logger that writes here, or pass ``handlerFactory``
/// to a host under test. Every record is rendered with its metadata, so ``SecretCanaries/leaks(in:)``
/// can scan the whole text.
public final class LogCapture: Sendable {
    /// One captured log record.
    public struct Record: Sendable, Hashable {
        /// The level.
        public var level: Logger.Level
        /// The message.
        public var message: String
        /// Metadata, rendered as text.
        public var metadata: [String: String]
        /// The logger label.
        public var label: String

        /// The record as one line (`level label message key=value …`).
        public var line: String {
            "\(level) \(label) \(message)" + metadata.keys.sorted().map { " \($0)=\(metadata[$0]!)" }.joined()
        }
    }

    private let records = Mutex<[Record]>([])

    /// Creates an empty capture.
    public init() {}

    /// Everything captured so far.
    public var all: [Record] { records.withLock { $0 } }

    /// Every captured record as one text, a line each.
    public var text: String { all.map(\.line).joined(separator: "\n") }

    /// A logger writing into this capture.
    public func makeLogger(label: String = "test", level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { label in Handler(label: label, capture: self) }
        logger.logLevel = level
        return logger
    }

    /// A factory for `Logger(label:factory:)` and hosts that take one.
    public var handlerFactory: @Sendable (String) -> any LogHandler {
        { label in Handler(label: label, capture: self) }
    }

    func append(_ record: Record) { records.withLock { $0.append(record) } }

    struct Handler: LogHandler {
        let label: String
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append(
                Record(
                    level: event.level, message: event.message.description,
                    metadata: merged.mapValues { $0.description }, label: label))
        }
    }
}
