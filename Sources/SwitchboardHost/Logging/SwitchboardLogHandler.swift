import ConnectorKit
import Foundation
import Logging

/// How log lines look.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `2026-11-22T10:00:00.123Z info switchboard: message connector=acme`
    case text
    /// One JSON object per line: `{"ts":…,"level":…,"label":…,"msg":…, metadata…}`
    case json
}

/// The host's swift-log handler. Before a line is written, every registered secret is scrubbed
/// from the message and metadata (``SecretRedactor``), and metadata under sensitive keys
/// (`authorization`, `token`, `password`, …) is replaced with `<redacted>` whatever it holds.
public struct SwitchboardLogHandler: LogHandler {
    /// Metadata keys whose values are never shown.
    public static let sensitiveKeys: Set<String> = [
        "authorization", "token", "access_token", "refresh_token", "id_token", "api_token", "password", "secret",
        "client_secret", "private_key", "assertion", "cookie", "set-cookie", "master_key", "raw",
    ]

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let format: LogFormat
    let output: LogOutput
    let redactor: SecretRedactor

    /// Creates a handler.
    public init(label: String, format: LogFormat, level: Logger.Level, output: LogOutput = .standardError, redactor: SecretRedactor = .shared) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.output = output
        self.redactor = redactor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let fields = merged.keys.sorted().map { key in
            (key, Self.sensitiveKeys.contains(key.lowercased()) ? "<redacted>" : redactor.redact(Self.render(merged[key]!)))
        }
        let message = redactor.redact(event.message.description)
        let timestamp = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        switch format {
        case .text:
            let suffix = fields.map { " \($0.0)=\(Self.quoteIfNeeded($0.1))" }.joined()
            output.write("\(timestamp) \(event.level) \(label): \(message)\(suffix)")
        case .json:
            // ts, level, label, msg first, then the metadata in key order.
            let reserved: Set<String> = ["ts", "level", "label", "msg"]
            let members = [
                JSONMember("ts", .string(timestamp)), JSONMember("level", .string(event.level.rawValue)),
                JSONMember("label", .string(label)), JSONMember("msg", .string(message)),
            ] + fields.filter { !reserved.contains($0.0) }.map { JSONMember($0.0, .string($0.1)) }
            output.write(JSONValue.object(members).description)
        }
    }

    static func render(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        case .array(let items): "[" + items.map(render).joined(separator: ",") + "]"
        case .dictionary(let d): "{" + d.keys.sorted().map { "\($0)=\(render(d[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    static func quoteIfNeeded(_ text: String) -> String {
        text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) || text.isEmpty
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n") + "\""
            : text
    }
}
