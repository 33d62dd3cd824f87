import ArgumentParser
import ConnectorKit
import Foundation
import SwitchboardHost
import X509

/// `switchboard jwt …`: mint and inspect tokens locally.
struct JWTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jwt",
        abstract: "Mint and inspect JWTs locally (never paste production tokens into websites).",
        subcommands: [Mint.self, Inspect.self]
    )

    struct Mint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a token with a key from a file, the environment or the vault, and print it.",
            discussion: """
                From a connector in connectors.yaml (its key, issuer, kid, consumer key, username, login URL):
                  switchboard jwt mint --connector acme-salesforce --flow live-agent --sub user-42
                  switchboard jwt mint --connector acme-salesforce --flow bearer
                  switchboard jwt mint --connector contoso-dynamics --flow live-assist --sub 3f2a9c4e-… \\
                      --given-name Dana --family-name Rivera
                From flags:
                  switchboard jwt mint --key vault:miaw-key --kid switchboard-1 --iss https://acme.example --sub user-42
                  switchboard jwt mint --key keys/sf.key.pem --iss 3MVG9… --sub integration@acme.example \\
                      --aud https://login.salesforce.com --ttl 180s
                  switchboard jwt mint --key keys/la.key.pem --iss support.contoso.example --sub 3f2a9c4e-… \\
                      --claim given_name=Dana --claim family_name=Rivera
                iat and exp are integer seconds. --claim values that read as JSON numbers or true/false stay typed.
                """)

        @OptionGroup var configOption: ConfigOption

        @Option(help: ArgumentHelp("Take key, issuer and the rest from this connector in the configuration.", valueName: "name"))
        var connector: String?

        @Option(help: ArgumentHelp("With --connector: the token flow of its module (salesforce: bearer, live-agent; dynamics-live-assist: live-assist).", valueName: "flow"))
        var flow: String?

        @Option(help: ArgumentHelp("The private key: a PEM file path, or env:NAME, file:PATH, vault:NAME.", valueName: "key"))
        var key: String?

        @Option(help: "Key id for the header (Enhanced Messaging needs it).")
        var kid: String?

        @Option(help: "Issuer (iss).")
        var iss: String?

        @Option(help: "Subject (sub): the employee id, the username, or the contact GUID.")
        var sub: String?

        @Option(help: "With --flow live-assist: the contact's first name.")
        var givenName: String?

        @Option(help: "With --flow live-assist: the contact's last name.")
        var familyName: String?

        @Option(help: "Audience (aud), when the flow needs one (the JWT bearer flow does).")
        var aud: String?

        @Option(help: "Lifetime: seconds (300) or a duration (180s, 5m); default: the flow's, or 5m.")
        var ttl: String?

        @Option(help: ArgumentHelp("An extra claim name=value (repeatable).", valueName: "name=value"))
        var claim: [String] = []

        @Option(help: "RS256, RS384 or RS512.")
        var alg = "RS256"

        func validate() throws {
            if connector != nil {
                guard let flow, !flow.isEmpty else {
                    throw ValidationError("--connector needs --flow (the salesforce module offers bearer and live-agent, dynamics-live-assist offers live-assist)")
                }
                guard key == nil, iss == nil else { throw ValidationError("--key and --iss come from the connector; leave them out with --connector") }
            } else {
                guard key != nil, iss != nil, sub != nil else { throw ValidationError("give --connector NAME --flow F, or --key, --iss and --sub") }
                guard flow == nil else { throw ValidationError("--flow goes with --connector") }
            }
        }

        func run() async throws {
            var lifetime: Duration?
            if let ttl {
                // Bare seconds (300) as well as a duration (300s, 5m).
                guard let parsed = Int(ttl).flatMap({ $0 > 0 ? Duration.seconds($0) : nil }) ?? DurationFormat.parse(ttl) else {
                    Terminal.error("error: --ttl '\(ttl)' is not a duration (seconds like 300, or 180s, 5m)")
                    throw ExitCode.failure
                }
                lifetime = parsed
            }
            guard let algorithm = JWTAlgorithm(rawValue: alg.uppercased()) else {
                Terminal.error("error: --alg must be RS256, RS384 or RS512")
                throw ExitCode.failure
            }
            do {
                let now = Date()
                let vault: CredentialVault
                var plan: TokenFlow.Plan
                if let connector, let flow {
                    let (configuration, registry) = try await ConfigurationLoading.load(configOption.config)
                    guard let instance = configuration.connectors.first(where: { $0.name == connector }) else {
                        throw KeyToolError("no connector '\(connector)' in \(configOption.config); configured: \(configuration.connectors.map(\.name).joined(separator: ", "))")
                    }
                    vault = CredentialVault(configuration: configuration.vault)
                    plan = try ConnectorTokenMinter.plan(
                        flow: flow, connector: instance, registry: registry,
                        request: TokenFlow.Request(subject: sub, givenName: givenName, familyName: familyName, audience: aud, lifetime: lifetime,
                                                   now: now, resolve: { try vault.resolve($0).revealedString() }))
                    if let kid { plan.keyID = kid }
                } else {
                    vault = CredentialVault(configuration: try VaultLocator.configuration(configPath: configOption.config))
                    var claims = JWTClaims()
                    claims.set("iss", iss!)
                    claims.set("sub", sub!)
                    if let aud { claims.set("aud", aud) }
                    claims.set("iat", date: now)
                    claims.set("exp", date: now.addingTimeInterval(Double((lifetime ?? .seconds(300)).components.seconds)))
                    plan = TokenFlow.Plan(claims: claims, key: try SecretReference.parse(key!) ?? SecretReference(.file, key!), keyID: kid)
                }
                for pair in claim {
                    guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                        throw KeyToolError("--claim '\(pair)' needs the form name=value")
                    }
                    let name = String(pair[..<equals]), text = String(pair[pair.index(after: equals)...])
                    // Numbers and booleans stay typed; anything else is a string.
                    switch try? JSONParser.parse(text) {
                    case let typed? where typed.integerValue != nil || typed == .bool(true) || typed == .bool(false): plan.claims[name] = typed
                    case .number(let number)?: plan.claims[name] = .number(number)
                    default: plan.claims[name] = .string(text)
                    }
                }
                let signer = JWTSigner(vault: vault)
                print(try signer.sign(plan.claims, with: signer.signingKey(plan.key), algorithm: algorithm, keyID: plan.keyID))
            } catch let error as ConfigError {
                Terminal.error(error.description)
                throw ExitCode.failure
            } catch {
                Terminal.error("error: \(error)")
                throw ExitCode.failure
            }
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode a token and check it by its flow's rules: header fields, claims, expiry in seconds, kid, signature.",
            discussion: """
                Reads TOKEN, or standard input when TOKEN is '-'. Each flow has its own rules, so a valid token is never failed for what its receiver does not ask:
                  bearer       Salesforce's JWT bearer assertion: RS256, iss (consumer key), sub (username), aud https://login.salesforce.com or https://test.salesforce.com (a My Domain URL is not an audience), exp within 3 minutes; no kid.
                  messaging    Enhanced Messaging user verification: RS256/RS512, kid, sub, iss, iat, exp; no aud.
                  live-assist  Live Assist authenticated chat: RS256, sub the contact GUID (lowercase), iss, given_name, family_name, iat, exp; no kid.
                  generic      alg, sub, iss, exp.
                The profile is detected from the token unless --profile names it. Every profile checks that exp is an integer of seconds (not milliseconds, not a string) and in the future, that alg is not 'none', and, given a key, that the kid matches (when the flow uses one) and the signature is valid. Exit status 1 if any check fails; '–' lines are notes.
                """)

        @Argument(help: "The token, or '-' to read it from standard input.")
        var token: String

        @Option(help: ArgumentHelp("Check against this JWK file.", valueName: "file"))
        var jwk: String?

        @Option(help: ArgumentHelp("Check against this JWKS file.", valueName: "file"))
        var jwks: String?

        @Option(help: ArgumentHelp("Check against this PEM certificate.", valueName: "file"))
        var cert: String?

        @Option(help: "The flow's rules: bearer, messaging, live-assist or generic (default: detected).")
        var profile: String?

        func validate() throws {
            guard [jwk, jwks, cert].compactMap({ $0 }).count <= 1 else { throw ValidationError("give at most one of --jwk, --jwks, --cert") }
            if let profile, TokenProfile(rawValue: profile) == nil {
                throw ValidationError("--profile must be one of \(TokenProfile.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() throws {
            let text = token == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : token
            do {
                let (decoded, checks) = try TokenInspector.inspect(text, key: try loadKey(), profile: profile.flatMap(TokenProfile.init(rawValue:)))
                print(TokenInspector.describe(decoded))
                print("checks:")
                for check in checks { print("  " + check.line) }
                if checks.contains(where: { $0.passed == false }) { throw ExitCode.failure }
            } catch let error as JWTError {
                Terminal.error("error: \(error)")
                throw ExitCode.failure
            }
        }

        func loadKey() throws -> InspectionKey? {
            func json(_ path: String) throws -> JSONValue {
                guard let data = FileManager.default.contents(atPath: path) else { throw KeyToolError("cannot read \(path)") }
                return try JSONParser.parse(Array(data))
            }
            do {
                if let jwk, case .object(let members) = try json(jwk) { return .jwk(JWK(members: members)) }
                if let jwks, case .array(let keys)? = try json(jwks)["keys"] {
                    return .jwks(JWKS(keys: keys.compactMap { if case .object(let m) = $0 { JWK(members: m) } else { nil } }))
                }
                if let cert { return .certificate(try RSAPublicKey(certificate: Certificate(pemEncoded: String(contentsOfFile: cert, encoding: .utf8)))) }
            } catch {
                Terminal.error("error: \(jwk ?? jwks ?? cert ?? ""): \(error)")
                throw ExitCode.failure
            }
            if jwk != nil || jwks != nil {
                Terminal.error("error: \(jwk ?? jwks!) is not a \(jwk != nil ? "JWK object" : "JWKS ({\"keys\":[…]})")")
                throw ExitCode.failure
            }
            return nil
        }
    }
}
