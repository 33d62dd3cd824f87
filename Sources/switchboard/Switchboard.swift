import ArgumentParser

/// The `switchboard` command: runs the connector host and the admin tools around it.
@main
struct Switchboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "A connector host that lets an enterprise assistant reach Salesforce, Dynamics 365 and more.",
        discussion: """
            Switchboard reads connectors.yaml, loads the connector modules it declares and runs the features you ask for. Start with `switchboard validate`, then `switchboard run`.

            Secrets are never written into connectors.yaml: refer to them as env:NAME, file:PATH or vault:NAME, and keep private keys in the encrypted vault (`switchboard vault --help`).
            """,
        version: "0.1.0",
        subcommands: [RunCommand.self, ValidateCommand.self, ModulesCommand.self, VaultCommand.self, KeysCommand.self, SyncCommand.self, StateCommand.self, JWTCommand.self, SandboxCommand.self]
    )
}
