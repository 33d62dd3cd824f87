import Foundation
import Logging
import Synchronization

/// How a served module logs: one line per message on stderr, `LEVEL message key=value…`, which the
/// host relays at that level with the connector's name and its own timestamp (docs/module-protocol.md).
struct ModuleLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    let label: String
    private static let output = Mutex<FileHandle>(FileHandle.standardError)

    init(label: String) {
        self.label = label
        if let level = ProcessInfo.processInfo.environment["SWITCHBOARD_MODULE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) { logLevel = level }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        let pairs = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let text = "\(event.level.rawValue) \(event.message)" + (pairs.isEmpty ? "" : " " + pairs)
        // One line per message: a newline inside would read as a second, unlevelled line.
        let single = text.replacingOccurrences(of: "\n", with: "\\n") + "\n"
        Self.output.withLock { handle in try? handle.write(contentsOf: Data(single.utf8)) }
    }
}
