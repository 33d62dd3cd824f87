import ConnectorKit
import Foundation

/// An external module as `modules:` in connectors.yaml declares it: how to start its process.
public struct ExternalModuleDeclaration: Sendable, Hashable {
    /// The module's name: the key under `modules:`, which must equal the name it reports.
    public var name: String
    /// The executable.
    public var command: String
    /// Its arguments.
    public var arguments: [String]
    /// Where it runs (absolute).
    public var workingDirectory: String
    /// Host environment variables passed through, besides PATH, HOME and LANG.
    public var environment: [String]
    /// How long one call may take.
    public var callTimeout: Duration
    /// How long one sync run may take.
    public var syncTimeout: Duration
    /// Where it is declared.
    public var location: SourceLocation?

    /// Creates a declaration.
    public init(name: String, command: String, arguments: [String] = [], workingDirectory: String, environment: [String] = [],
                callTimeout: Duration = .seconds(30), syncTimeout: Duration = .seconds(600), location: SourceLocation? = nil) {
        self.name = name
        self.command = command
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.callTimeout = callTimeout
        self.syncTimeout = syncTimeout
        self.location = location
    }

    /// Reads a validated `modules:` entry.
    init(name: String, settings: SettingsObject, location: SourceLocation?) throws {
        self.init(name: name, command: try settings.requiredText("command"), arguments: try settings.requiredStrings("args"),
                  workingDirectory: try settings.requiredText("working_directory"), environment: try settings.requiredStrings("environment"),
                  callTimeout: try settings.requiredDuration("call_timeout"), syncTimeout: try settings.requiredDuration("sync_timeout"),
                  location: location)
    }

    /// The process to start, with only the allowed environment.
    func launch(hostEnvironment: [String: String]) -> ChildProcess.Launch {
        var environment: [String: String] = [:]
        for name in ["PATH", "HOME", "LANG"] + self.environment { if let value = hostEnvironment[name] { environment[name] = value } }
        return ChildProcess.Launch(command: command, arguments: arguments, workingDirectory: workingDirectory, environment: environment)
    }
}
