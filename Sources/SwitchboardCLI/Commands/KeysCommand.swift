import ArgumentParser
import ConnectorKit
import Foundation
import Logging
import SwitchboardHost
import X509

/// `switchboard keys …`: make and check the keys Salesforce and Live Assist need.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Generate RSA keys, certificates and JWKs, and check them against Salesforce's rules.",
        discussion: """
            The admin's path:
              1. switchboard keys generate --name miaw --kid switchboard-1 --vault miaw-key
              2. switchboard keys check keys/miaw.jwk.json
              3. upload keys/miaw.jwk.json to the channel's keyset in Setup
                 (or serve keys/miaw.jwks.json for an Endpoint URL keyset)
              4. switchboard jwt mint --key vault:miaw-key --kid switchboard-1 \\
                   --iss https://acme.example --sub user-42
              5. switchboard jwt inspect TOKEN --jwk keys/miaw.jwk.json
            """,
        subcommands: [Generate.self, JWKFromCertificate.self, LiveAssistPublicKey.self, Check.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a private key, a self-signed certificate, a JWK and a JWKS.",
            discussion: """
                Writes, in --out (default keys/):
                  NAME.key.pem    the private key, PKCS#8, mode 0600
                                  (with --vault: stored in the vault instead)
                  NAME.crt.pem    a self-signed certificate (sha256WithRSAEncryption)
                  NAME.jwk.json   one JWK (kty, kid, alg, use, n, e, x5c): upload this
                  NAME.jwks.json  {"keys":[…]} for the Endpoint URL keyset type
                Existing files are never overwritten.
                """)

        @OptionGroup var configOption: ConfigOption

        @Option(help: "Base name of the files.")
        var name: String

        @Option(help: "Key id (kid) tokens will carry in their header.")
        var kid: String

        @Option(help: "RSA key size: 2048, 3072 or 4096.")
        var bits = 2048

        @Option(help: "Certificate validity in days (Salesforce needs at least 10 more days at upload).")
        var days = 36500

        @Option(help: "Certificate subject, like \"CN=Switchboard, O=Acme\".")
        var subject = "CN=Switchboard"

        @Option(help: ArgumentHelp("Folder for the files.", valueName: "dir"))
        var out = "keys"

        @Option(help: ArgumentHelp("Store the private key in the vault under this name instead of writing NAME.key.pem.", valueName: "entry"))
        var vault: String?

        func validate() throws {
            guard name.range(of: "^[A-Za-z0-9._-]{1,64}$", options: .regularExpression) != nil else {
                throw ValidationError("--name may use letters, digits, '.', '_' and '-'")
            }
            guard !kid.isEmpty else { throw ValidationError("--kid must not be empty") }
            if let vault, !VaultEntryName.isValid(vault) { throw ValidationError("--vault '\(vault)' is not a valid entry name") }
        }

        func run() throws {
            let paths = ["key.pem", "crt.pem", "jwk.json", "jwks.json"].map { "\(out)/\(name).\($0)" }
            for path in paths where FileManager.default.fileExists(atPath: path) {
                Terminal.error("error: \(path) exists; refusing to overwrite it (choose another --name or --out)")
                throw ExitCode.failure
            }
            let generated: GeneratedKey
            do {
                generated = try KeyGenerator.generate(bits: bits, keyID: kid, subject: subject, days: days)
            } catch {
                Terminal.error("error: \(error)")
                throw ExitCode.failure
            }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            var written: [String] = []
            if let vault {
                let credentials = CredentialVault(configuration: try VaultLocator.configuration(configPath: configOption.config))
                do {
                    try credentials.vaultFile!.set(vault, to: generated.privateKeyPEM, masterKey: credentials.masterKey())
                } catch {
                    Terminal.error("error: \(error)")
                    throw ExitCode.failure
                }
                written.append("vault:\(vault)  private key (in \(credentials.vaultFile!.path))")
            } else {
                try generated.privateKeyPEM.withRevealedBytes { try SecretFileWriter.write(Data($0), to: paths[0]) }
                written.append("\(paths[0])  private key (mode 0600) — store it with `switchboard vault set`")
            }
            try AtomicFile.write(Data(generated.certificatePEM.utf8), to: paths[1], mode: 0o644)
            try AtomicFile.write(Data(generated.jwk.json.prettyPrinted().utf8), to: paths[2], mode: 0o644)
            try AtomicFile.write(Data(generated.jwks.json.prettyPrinted().utf8), to: paths[3], mode: 0o644)
            written += ["\(paths[1])  certificate, valid until \(generated.certificate.notValidAfter.formatted(.iso8601))",
                        "\(paths[2])  JWK to upload to Salesforce", "\(paths[3])  JWKS for an Endpoint URL keyset"]
            print("Generated an RSA-\(bits) key with kid \(kid):")
            for line in written { print("  " + line) }
            print("Next: switchboard keys check \(paths[2])")
        }
    }

    struct JWKFromCertificate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "jwk",
            abstract: "Print the JWK of a certificate made elsewhere (e.g. by openssl).",
            discussion: "Example: openssl req -x509 -sha256 -nodes -days 36500 -newkey rsa:2048 -keyout k.pem -out c.pem\n         switchboard keys jwk --cert c.pem --kid switchboard-1 > c.jwk.json")

        @Option(help: ArgumentHelp("The PEM certificate.", valueName: "file"))
        var cert: String

        @Option(help: "Key id (kid) to put in the JWK.")
        var kid: String

        func run() throws {
            do {
                let certificate = try Certificate(pemEncoded: try String(contentsOfFile: cert, encoding: .utf8))
                let key = try RSAPublicKey(certificate: certificate)
                guard key.bits >= JWTError.minimumKeyBits else { throw KeyToolError("the certificate's key has \(key.bits) bits; Salesforce needs at least 2048") }
                print(try JWK.rsa(key, keyID: kid, certificate: certificate).json.prettyPrinted(), terminator: "")
            } catch {
                Terminal.error("error: \(cert): \(error)")
                throw ExitCode.failure
            }
        }
    }

    struct LiveAssistPublicKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "live-assist-public-key",
            abstract: "Print the public key as Live Assist's \"JWT Public Key\" field wants it: one line, no header or footer.")

        @Option(help: ArgumentHelp("A PEM private key.", valueName: "file"))
        var key: String?

        @Option(help: ArgumentHelp("A PEM certificate.", valueName: "file"))
        var cert: String?

        func validate() throws {
            guard (key == nil) != (cert == nil) else { throw ValidationError("give exactly one of --key FILE or --cert FILE") }
        }

        func run() throws {
            do {
                let publicKey: RSAPublicKey
                if let key {
                    publicKey = try RSAPublicKey(privateKeyPEM: Secret(String(contentsOfFile: key, encoding: .utf8)))
                } else {
                    publicKey = try RSAPublicKey(certificate: Certificate(pemEncoded: String(contentsOfFile: cert!, encoding: .utf8)))
                }
                let body = try publicKey.pem().split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
                print(body)
            } catch {
                Terminal.error("error: \(key ?? cert ?? ""): \(error)")
                throw ExitCode.failure
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check JWK, JWKS, certificate and key files — or a live JWKS endpoint — against the rules Salesforce enforces.",
            discussion: """
                Each rule is one line, ✓ or ✗, with the reason and the fix. Exit status 1 if any rule fails.

                A JWK file (one JSON object) gets the upload rules of a keyset's file upload: kty RSA, kid, alg RS256, use sig, n/e base64url, RSA ≥ 2048 bits, x5c (standard base64 of a parseable certificate) valid now and for at least 10 more days, n/e equal to the certificate's key, no private members, one key per file. A JWKS ({"keys":[…]}, what an Endpoint URL keyset fetches) gets the same rules for every key — x5c optional there — and unique kids. PEM certificates and keys get the PEM rules.

                --url fetches a JWKS endpoint and checks it as Salesforce would reach it: public HTTPS, 200 with JSON, then the JWKS rules. --private-key (a file, or vault:NAME / env:NAME / file:PATH) must match the key checked (in a set: one of its keys). --config compares with the connectors of a connectors.yaml whose tokens carry a kid (the live-agent sections): their key_id is published, their private_key is the key published under it, and the issuer the keyset must name.

                Examples:
                  switchboard keys check keys/sf-1.jwk.json --private-key vault:sf-miaw-key
                  switchboard keys check --url https://jwks.acme.example/.well-known/jwks.json --config connectors.yaml
                """)

        @Argument(help: "JWK, JWKS, PEM certificate or PEM key files.")
        var files: [String] = []

        @Option(help: ArgumentHelp("Fetch and check a live JWKS endpoint.", valueName: "url"))
        var url: String?

        @Option(name: .customLong("private-key"), help: ArgumentHelp("Also check that this private key matches: a PEM file, or vault:NAME, env:NAME, file:PATH.", valueName: "key"))
        var privateKey: String?

        @Option(name: [.customShort("c"), .long], help: ArgumentHelp("Compare with the connectors of this configuration (and find the vault there).", valueName: "path"))
        var config: String?

        func validate() throws {
            guard !files.isEmpty || url != nil else { throw ValidationError("give files to check, or --url URL") }
        }

        func run() async throws {
            let configPath = config ?? ProcessInfo.processInfo.environment["SWITCHBOARD_CONFIG"] ?? "connectors.yaml"
            var privatePublic: RSAPublicKey?
            if let privateKey {
                do {
                    let reference = (try? SecretReference.parse(privateKey)) ?? SecretReference(.file, privateKey)
                    let vault = CredentialVault(configuration: try VaultLocator.configuration(configPath: configPath))
                    privatePublic = try RSAPublicKey(privateKeyPEM: try vault.resolve(reference))
                } catch {
                    Terminal.error("error: --private-key \(privateKey): \(error)")
                    throw ExitCode.failure
                }
            }
            var failed = false
            var contents: [Data] = []
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("\(file)\n  ✗ cannot read the file")
                    failed = true
                    continue
                }
                contents.append(data)
                let report = KeyChecker.check(file: file, contents: data, privateKey: privatePublic)
                print(report.text)
                failed = failed || !report.passed
            }
            if let url {
                let transport = HTTPTransport(logger: Logger(label: "switchboard.keys"))
                defer { Task { try? await transport.shutdown() } }
                do {
                    let response = try await transport.send(.init(url: url, headers: [("Accept", "application/json")]))
                    contents.append(Data(response.body))
                    let report = KeyChecker.checkEndpoint(url: url, status: response.status, contentType: response.header("Content-Type"),
                                                          body: response.body, privateKey: privatePublic)
                    print(report.text)
                    failed = failed || !report.passed
                } catch {
                    print("\(url) (JWKS endpoint)\n  ✗ \(KeyCheck.Rule.endpointAnswers.title) — \(error)\n    fix: check the URL, DNS and that the host serves it")
                    failed = true
                }
                try? await transport.shutdown()
            }
            if config != nil {
                let report = KeyChecker.compare(try await Self.signingConnectors(configPath), publishedIn: contents)
                print(report.text)
                failed = failed || !report.passed
            }
            if failed { throw ExitCode.failure }
        }

        /// The connectors of a configuration whose token flows sign with a kid, each with its key's
        /// public half read through the vault (the key itself stays in memory here).
        static func signingConnectors(_ path: String) async throws -> [KeyChecker.SigningConnector] {
            let (configuration, registry): (HostConfiguration, ModuleRegistry)
            do { (configuration, registry) = try await ConfigurationLoading.load(path) } catch {
                Terminal.error(error.description)
                throw ExitCode.failure
            }
            let vault = CredentialVault(configuration: configuration.vault)
            vault.registerEnvironmentSecrets(configuration.secretReferences)
            var found: [KeyChecker.SigningConnector] = []
            for connector in configuration.connectors {
                for flow in ConnectorTokenMinter.flows(for: connector, registry: registry) {
                    let request = TokenFlow.Request(subject: "keys-check", givenName: "Keys", familyName: "Check", now: Date()) {
                        try vault.resolve($0).revealedString()
                    }
                    guard let plan = try? flow.plan(request), let keyID = plan.keyID else { continue }
                    var key: RSAPublicKey?
                    var problem: String?
                    do { key = try RSAPublicKey(privateKeyPEM: try vault.resolve(plan.key)) } catch { problem = "\(plan.key): \(error)" }
                    found.append(.init(name: "\(connector.name) \(flow.name)", keyID: keyID, issuer: plan.claims["iss"]?.stringValue,
                                       publicKey: key, keyProblem: problem))
                }
            }
            return found
        }
    }
}
