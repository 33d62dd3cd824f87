import ArgumentParser
import ConnectorKit
import SwitchboardHost

/// `switchboard validate`: checks connectors.yaml and reports every problem at once.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check connectors.yaml and report every problem at once.",
        discussion: """
            Checks the file the way `switchboard run` would, without starting anything: YAML syntax, ${VAR} interpolation, unknown keys, types, required settings, durations, URLs, modules and features, and that every secret reference points at something (an environment variable that is set, a readable file, an existing vault entry). Secret values are never read into any message.

            Each problem is one line: FILE:LINE:COLUMN: FIELD.PATH: what is wrong and what is expected. Exit status: 0 when the file is valid (warnings allowed), 1 otherwise.
            """
    )

    @OptionGroup var configOption: ConfigOption

    @Flag(help: "Skip checking that env:, file: and vault: references resolve (for machines without the secrets).")
    var skipSecretChecks = false

    func run() async throws {
        do {
            let (configuration, _) = try await ConfigurationLoading.load(configOption.config, checksSecrets: !skipSecretChecks)
            for warning in configuration.warnings { Terminal.error(warning.description) }
            let connectors = configuration.connectors.map { "\($0.name) (\($0.module): \($0.features.map(\.rawValue).joined(separator: ", ")))" }
            print("\(configOption.config): valid — \(connectors.count) connector\(connectors.count == 1 ? "" : "s")"
                + (connectors.isEmpty ? "" : ": " + connectors.joined(separator: "; ")))
        } catch {
            Terminal.error(error.description)
            throw ExitCode.failure
        }
    }
}
