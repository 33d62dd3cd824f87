import ArgumentParser
import ConnectorKit
import Foundation
import Logging
import SwitchboardHost

/// `--config PATH`, shared by every command that reads connectors.yaml.
struct ConfigOption: ParsableArguments {
    @Option(name: [.customShort("c"), .long], help: ArgumentHelp("The configuration file.", valueName: "path"))
    var config: String = ProcessInfo.processInfo.environment["SWITCHBOARD_CONFIG"] ?? "connectors.yaml"
}

/// `--log-format` and `--log-level`.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log line format: text or json.")
    var logFormat: LogFormatArgument = .text

    @Option(help: "Lowest level logged: trace, debug, info, notice, warning, error, critical.")
    var logLevel: LogLevelArgument = .info

    /// Points swift-log at the host's redacting handler. Call once per process.
    func bootstrap() {
        let format = logFormat.format
        let level = logLevel.level
        LoggingSystem.bootstrap { label in SwitchboardLogHandler(label: label, format: format, level: level) }
    }
}

struct LogFormatArgument: ExpressibleByArgument {
    let format: LogFormat
    init(format: LogFormat) { self.format = format }
    init?(argument: String) {
        guard let format = LogFormat(rawValue: argument) else { return nil }
        self.format = format
    }
    static let text = LogFormatArgument(format: .text)
    static var allValueStrings: [String] { LogFormat.allCases.map(\.rawValue) }
    var defaultValueDescription: String { format.rawValue }
}

struct LogLevelArgument: ExpressibleByArgument {
    let level: Logger.Level
    init(level: Logger.Level) { self.level = level }
    init?(argument: String) {
        guard let level = Logger.Level(rawValue: argument.lowercased()) else { return nil }
        self.level = level
    }
    static let info = LogLevelArgument(level: .info)
    static var allValueStrings: [String] { Logger.Level.allCases.map(\.rawValue) }
    var defaultValueDescription: String { level.rawValue }
}

/// Writes to standard error.
enum Terminal {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}

/// Splits `a,b , c` into trimmed, non-empty parts.
func commaList(_ text: String?) -> [String]? {
    text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
}
