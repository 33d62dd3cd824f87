import ArgumentParser
import Logging
import ConnectorKit
import Foundation
import SwitchboardHost

/// `switchboard state show|reset`: a connector's sync checkpoints.
struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Show or reset a connector's sync checkpoints.",
        subcommands: [Show.self, Reset.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a connector's checkpoints and how many records it has stored.",
            discussion: """
                Examples:
                  switchboard state show acme-salesforce
                  switchboard state show acme-salesforce --stream users
                """)

        @OptionGroup var configOption: ConfigOption
        @Argument(help: "The connector, as named in connectors.yaml.") var connector: String
        @Option(help: "Only this stream (users, users-deleted, articles-en_US, …).") var stream: String?

        func run() async throws {
            let configuration = try await StateCommand.load(configOption, connector: connector)
            let (connector, stream) = (self.connector, self.stream)
            try await StoreLocation.withStore(configuration, logger: StateCommand.quiet) { store in
                let checkpoints = try await store.checkpoints(connector: connector, stream: stream)
                print("\(connector) in \(StoreLocation.display(configuration)):")
                print("  users: \(try await store.count(connector: connector, stream: "users")), articles: \(try await store.count(connector: connector, stream: "articles"))")
                if checkpoints.isEmpty { print("  no checkpoints\(stream.map { " for stream \($0)" } ?? ""): the next sync reads everything") }
                for checkpoint in checkpoints {
                    print("  \(checkpoint.stream): \(checkpoint.cursor)  (written \(ISO8601DateFormatter().string(from: checkpoint.updatedAt)))")
                }
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget a connector's checkpoints so the next sync reads everything again.",
            discussion: """
                Records stay in the store (the next sync rewrites them). Refused while `switchboard run` uses the store.

                Examples:
                  switchboard state reset acme-salesforce
                  switchboard state reset acme-salesforce --stream users
                """)

        @OptionGroup var configOption: ConfigOption
        @Argument(help: "The connector, as named in connectors.yaml.") var connector: String
        @Option(help: "Only this stream (users, users-deleted, articles-en_US, …).") var stream: String?

        func run() async throws {
            let configuration = try await StateCommand.load(configOption, connector: connector)
            let claim = try StoreLocation.claim(configuration)
            if case .heldElsewhere = claim {
                Terminal.error("switchboard state reset: a running host uses \(StoreLocation.display(configuration)); stop it first (its checkpoints would move under it)")
                throw ExitCode.failure
            }
            let (connector, stream) = (self.connector, self.stream)
            let removed = try await StoreLocation.withStore(configuration, logger: StateCommand.quiet) { store in
                try await store.resetCheckpoints(connector: connector, stream: stream)
            }
            withExtendedLifetime(claim) {}
            print("\(connector): \(removed) checkpoint\(removed == 1 ? "" : "s") reset\(stream.map { " (stream \($0))" } ?? ""); the next sync reads everything")
        }
    }

    /// The store's own log lines stay out of the command's output.
    static let quiet = Logger(label: "switchboard.state", factory: { _ in SwiftLogNoOpLogHandler() })

    static func load(_ option: ConfigOption, connector: String) async throws -> HostConfiguration {
        let configuration: HostConfiguration
        do {
            configuration = try await ConfigurationLoading.load(option.config, checksSecrets: false).0
        } catch {
            Terminal.error(error.description)
            throw ExitCode.failure
        }
        guard configuration.connectors.contains(where: { $0.name == connector }) else {
            Terminal.error("no connector named \(connector) in \(configuration.file) (connectors: \(configuration.connectors.map(\.name).joined(separator: ", ")))")
            throw ExitCode.failure
        }
        return configuration
    }
}
