import ArgumentParser
import ConnectorKit
import SwitchboardHost

/// The whole `switchboard` command line, for an executable that chooses its connector modules.
///
/// The shipped `switchboard` is one call with the built-in modules; an organisation builds its own
/// with private modules in its own package, without forking:
///
/// ```swift
/// import SalesforceConnector
/// import SwitchboardCLI
///
/// await Switchboard.main(modules: [SalesforceModule(), PayrollModule()])
/// ```
public enum Switchboard {
    /// Parses the process's arguments and runs the command they name (`run`, `validate`, `modules`…)
    /// with these modules; exits the process with the command's status.
    public static func main(modules: [any ConnectorModule]) async {
        await CompiledModules.$modules.withValue(modules) {
            await SwitchboardCommand.main()
        }
    }
}

/// The connector modules this executable was built with, for the commands.
enum CompiledModules {
    @TaskLocal static var modules: [any ConnectorModule] = []
    /// The modules as a registry (a later duplicate of a name is ignored).
    static var registry: ModuleRegistry { ModuleRegistry(modules) }
}

/// The `switchboard` command: runs the connector host and the admin tools around it.
struct SwitchboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "A connector host that lets an enterprise assistant reach Salesforce, Dynamics 365 and more.",
        discussion: """
            Switchboard reads connectors.yaml, loads the connector modules it declares and runs the features you ask for. Start with `switchboard validate`, then `switchboard run`.

            Secrets are never written into connectors.yaml: refer to them as env:NAME, file:PATH or vault:NAME, and keep private keys in the encrypted vault (`switchboard vault --help`).
            """,
        version: "0.1.0",
        subcommands: [RunCommand.self, ReloadCommand.self, ValidateCommand.self, DoctorCommand.self, MCPCommand.self, ModulesCommand.self, VaultCommand.self, KeysCommand.self, SyncCommand.self, StateCommand.self, JWTCommand.self, SandboxCommand.self]
    )
}
