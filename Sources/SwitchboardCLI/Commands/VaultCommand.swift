import ArgumentParser
import ConnectorKit
import Foundation
import SwitchboardHost

/// `switchboard vault …`: manage the encrypted credential vault.
struct VaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault",
        abstract: "Manage the encrypted credential vault (private keys, tokens).",
        discussion: """
            The vault is one JSON file (vault.path in connectors.yaml, default .switchboard/vault.json, mode 0600) whose entries are each sealed with AES-256-GCM under a master key. The master key comes from vault.master_key: env:SWITCHBOARD_MASTER_KEY by default, or file:PATH. Connectors refer to entries as vault:NAME.

            Typical first steps:
              switchboard vault init           # prints a new master key to export
              export SWITCHBOARD_MASTER_KEY=…
              switchboard vault set sf-jwt-key --from-file keys/sf.key
              switchboard vault list
            """,
        subcommands: [Init.self, Set.self, List.self, Remove.self]
    )

    /// Options shared by the vault subcommands.
    struct Location: ParsableArguments {
        @OptionGroup var configOption: ConfigOption

        @Option(help: ArgumentHelp("Use this vault file instead of the one in the configuration.", valueName: "path"))
        var vault: String?

        func vaultConfiguration() throws -> CredentialVault.Configuration {
            var configuration: CredentialVault.Configuration
            do { configuration = try VaultLocator.configuration(configPath: configOption.config) } catch {
                Terminal.error(error.description)
                throw ExitCode.failure
            }
            if let vault { configuration.vaultPath = vault }
            return configuration
        }

        func open() throws -> (CredentialVault, VaultFile) {
            let vault = CredentialVault(configuration: try vaultConfiguration())
            return (vault, vault.vaultFile!)
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an empty vault (and a master key, if none is set).",
            discussion: """
                If the master key named by vault.master_key is available, the vault is sealed with it. Otherwise a new random 256-bit key is made: with --key-file (or a file: master key) it is written to that file with mode 0600; with an env: master key it is printed once, as an export line, on standard output. Keep it safe: without it the vault cannot be opened.
                """)

        @OptionGroup var location: Location

        @Option(help: ArgumentHelp("Write a newly made master key to this file (mode 0600).", valueName: "path"))
        var keyFile: String?

        func run() throws {
            var configuration = try location.vaultConfiguration()
            if let keyFile { configuration.masterKey = SecretReference(.file, keyFile) }
            let vault = CredentialVault(configuration: configuration)
            let file = vault.vaultFile!
            guard !file.exists else {
                Terminal.error("error: a vault already exists at \(file.path); refusing to overwrite it")
                throw ExitCode.failure
            }
            let reference = configuration.masterKey ?? SecretReference(.env, "SWITCHBOARD_MASTER_KEY")
            do {
                if let existing = try? vault.masterKey() {
                    try file.create(masterKey: existing)
                    print("Created \(file.path), sealed with the master key from \(reference).")
                    return
                }
                let key = MasterKey.generate()
                switch reference.kind {
                case .file:
                    let path = vault.resolvePath(reference.name)
                    guard !FileManager.default.fileExists(atPath: path) else {
                        Terminal.error("error: \(path) exists but does not hold a valid master key; refusing to overwrite it")
                        throw ExitCode.failure
                    }
                    try key.encoded.withRevealedBytes { bytes in try SecretFileWriter.write(Data(bytes) + Data("\n".utf8), to: path) }
                    try file.create(masterKey: key)
                    print("Created \(file.path) and a new master key in \(path) (mode 0600).")
                    Terminal.error("Back up \(path): without it the vault cannot be opened.")
                default:
                    try file.create(masterKey: key)
                    Terminal.error("Created \(file.path) with a new master key. Set it in the environment of every switchboard process")
                    Terminal.error("and keep a copy in your secret manager; without it the vault cannot be opened:")
                    print("export \(reference.name)=\(try key.encoded.revealedString())")
                }
            } catch let error as VaultError {
                Terminal.error("error: \(error)")
                throw ExitCode.failure
            }
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store a secret under a name (replacing any previous value).",
            discussion: """
                Read the value from a file (--from-file) or standard input (--from-stdin), never from the command line, so it stays out of shell history. Values are limited to 10 KiB. Example: switchboard vault set sf-jwt-key --from-file keys/sf.key
                """)

        @OptionGroup var location: Location

        @Argument(help: "Entry name: 1–64 letters, digits, '.', '_' or '-'. Referenced as vault:NAME.")
        var name: String

        @Option(help: ArgumentHelp("Read the value from this file.", valueName: "path"))
        var fromFile: String?

        @Flag(help: "Read the value from standard input.")
        var fromStdin = false

        func validate() throws {
            guard (fromFile != nil) != fromStdin else {
                throw ValidationError("give exactly one of --from-file PATH or --from-stdin")
            }
            guard VaultEntryName.isValid(name) else {
                throw ValidationError("'\(name)' is not a valid entry name: use 1–64 letters, digits, '.', '_' or '-'")
            }
        }

        func run() throws {
            let (vault, file) = try location.open()
            let data: Data
            if let fromFile {
                guard let contents = FileManager.default.contents(atPath: fromFile) else {
                    Terminal.error("error: cannot read \(fromFile)")
                    throw ExitCode.failure
                }
                data = contents
            } else {
                data = FileHandle.standardInput.readDataToEndOfFile()
            }
            do {
                try file.set(name, to: Secret(bytes: data), masterKey: vault.masterKey())
            } catch {
                Terminal.error("error: \(error)")
                throw ExitCode.failure
            }
            print("Stored '\(name)' (\(data.count) bytes) in \(file.path). Refer to it as vault:\(name).")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List entry names and sizes (never values). Needs no master key.")

        @OptionGroup var location: Location

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func run() throws {
            let (_, file) = try location.open()
            do {
                let entries = try file.entries()
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                    print(String(decoding: try encoder.encode(entries), as: UTF8.self))
                } else if entries.isEmpty {
                    print("\(file.path): no entries")
                } else {
                    let width = max(4, entries.map(\.name.count).max() ?? 0)
                    print("NAME".padding(toLength: width, withPad: " ", startingAt: 0) + "  BYTES")
                    for entry in entries { print(entry.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(entry.size)") }
                }
            } catch {
                Terminal.error("error: \(error)")
                throw ExitCode.failure
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an entry.")

        @OptionGroup var location: Location

        @Argument(help: "The entry to remove.")
        var name: String

        func run() throws {
            let (vault, file) = try location.open()
            do {
                guard try file.remove(name, masterKey: vault.masterKey()) else {
                    Terminal.error("error: no entry '\(name)' in \(file.path)")
                    throw ExitCode.failure
                }
            } catch let error as VaultError {
                Terminal.error("error: \(error)")
                throw ExitCode.failure
            }
            print("Removed '\(name)' from \(file.path).")
        }
    }
}
