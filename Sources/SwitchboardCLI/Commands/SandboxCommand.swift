import ArgumentParser
import ConnectorKit
import Foundation
import Logging
import SalesforceSandbox
import ServiceLifecycle
import UnixSignals

/// `switchboard sandbox`: runs the fake Salesforce org alone, until SIGINT or SIGTERM.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run the built-in Salesforce sandbox org on loopback (no Salesforce account needed).",
        discussion: """
            A faithful fake of the Salesforce APIs the connectors use, over real HTTP: the OAuth 2.0 JWT bearer token endpoint (it verifies the assertion's signature against a registered certificate and checks iss, sub, aud and exp, answering with Salesforce's exact errors), REST queries with nextRecordsUrl paging and Sforce-Limit-Info, and data seeded deterministically from --seed. Access tokens expire after --token-lifetime, so refresh paths run.

            Enhanced Messaging (live agents) under /iamessage/api/v2 and /eventrouter/v1/sse: the access-token route verifies the user-verification JWT (kid, RS256 signature, iss, exp) against --messaging-jwk files or the JWKS at --messaging-jwks-url; a scripted Omni-Channel queue and agent answer each conversation (routing result with a wait time, the agent joins, types, replies three times, and ends the session after the employee answers).

            Register a connected app with --consumer-key and --certificate (the certificate `switchboard keys generate` wrote); its pre-authorized user is integration@sandbox.switchboard.example unless you name others with --username.

            Control API (for tests and demos, never part of Salesforce):
              GET|POST|DELETE /__sandbox/faults   list, add, clear injected faults, e.g.
                {"path": "/services/data", "status": 503, "retryAfter": "2", "times": 1}
                fields: path, method, queryContains, status, retryAfter, delayMs, delayAfterMs, statusAfter, dropAfterBytes, stallAfterBytes, expireToken, times, body
              POST /__sandbox/tokens/expire        expire every issued access token now
              POST /__sandbox/connected-apps       {"consumerKey", "certificate", "users"}
              GET  /__sandbox/stats                token requests, API usage, requests per route
              GET  /__sandbox/stream               a numbered SSE stream (count, interval, retry, stall)
              GET  /__sandbox/messaging/conversations[/ID]   what the agent sees (the employee's messages…)
              POST /__sandbox/messaging/conversations/ID/agent  {"action": "route|fail|join|message|typing|stop-typing|leave|end", "text": …}
              POST /__sandbox/messaging/keyset     {"issuer", "uploadedKeys": [JWK…]} or {"issuer", "jwksURL"}
              GET  /__sandbox/messaging/refusals   why verification JWTs were refused

            Examples:
              switchboard sandbox
              switchboard sandbox --port 8443 --seed 7 --contacts 100000
              switchboard sandbox --consumer-key 3MVGexample --certificate keys/sf-jwt.crt --token-lifetime 5m
              switchboard sandbox --custom-field Case.Category__c --external-id Case.Switchboard_Key__c

            The org's objects are stock (a Case has no custom fields) unless --custom-field or --external-id adds them.
            """
    )

    @Option(help: "Address to listen on. Anything but loopback needs --allow-remote.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8443

    @Flag(help: "Allow listening on a non-loopback address (the sandbox has no authentication of its own).")
    var allowRemote = false

    @Option(help: "Seed for the generated data: the same seed always gives the same records.")
    var seed: UInt64 = 42

    @Option(help: "Contacts (employees) to generate.")
    var contacts = 250

    @Option(help: "Cases to generate.")
    var cases = 40

    @Option(help: "Knowledge articles to generate.")
    var articles = 30

    @Option(help: ArgumentHelp("Lifetime of issued access tokens, like 30s, 5m, 2h.", valueName: "duration"))
    var tokenLifetime = "2h"

    @Option(help: "The org's daily API request limit (Sforce-Limit-Info; REQUEST_LIMIT_EXCEEDED beyond it).")
    var dailyApiLimit = 100_000

    @Option(help: "Consumer key of a connected app to register (with --certificate).")
    var consumerKey: String?

    @Option(help: ArgumentHelp("PEM certificate uploaded to that connected app.", valueName: "file"))
    var certificate: String?

    @Option(help: ArgumentHelp("A username pre-authorized for the app (repeatable).", valueName: "username"))
    var username: [String] = []

    @Option(help: ArgumentHelp("Enhanced Messaging: the keyset's issuer that user-verification JWTs must carry.", valueName: "iss"))
    var messagingIssuer = "https://switchboard.example"

    @Option(help: ArgumentHelp("Enhanced Messaging: a JWKS URL the keyset reads (endpoint mode), e.g. http://127.0.0.1:8710/.well-known/jwks.json.", valueName: "url"))
    var messagingJwksUrl: String?

    @Option(help: ArgumentHelp("Enhanced Messaging: an uploaded JWK file (repeatable), as `switchboard keys generate` writes it.", valueName: "file"))
    var messagingJwk: [String] = []

    @Option(help: ArgumentHelp("Enhanced Messaging: the deployment's API name (esDeveloperName).", valueName: "name"))
    var esDeveloperName = "Support_API"

    @Option(help: ArgumentHelp("The org id (18 characters; Enhanced Messaging clients send its first 15).", valueName: "00D…"))
    var orgId = "00DSBX000000001AAA"

    @Flag(help: "Enhanced Messaging: no scripted agent; drive the agent through the control API instead.")
    var manualAgent = false

    @Option(help: ArgumentHelp("A custom text field the org has, as OBJECT.FIELD__c (repeatable).", valueName: "Object.Field__c"))
    var customField: [String] = []

    @Option(help: ArgumentHelp("A custom text field marked External ID (upserts key on it), as OBJECT.FIELD__c (repeatable).", valueName: "Object.Field__c"))
    var externalId: [String] = []

    @OptionGroup var logging: LoggingOptions

    /// `Case.Category__c` as a custom field.
    static func customField(_ text: String, externalID: Bool) throws -> CustomField {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].hasSuffix("__c"), parts[1].count > 3, SObjectSchema.named(String(parts[0])) != nil else {
            throw ValidationError("\(externalID ? "--external-id" : "--custom-field"): '\(text)' is not OBJECT.FIELD__c on a known object (Case.Category__c)")
        }
        return CustomField(object: String(parts[0]), name: String(parts[1]), isExternalID: externalID)
    }

    func validate() throws {
        for field in customField { _ = try Self.customField(field, externalID: false) }
        for field in externalId { _ = try Self.customField(field, externalID: true) }
        guard orgId.hasPrefix("00D"), orgId.count == 18 else { throw ValidationError("--org-id must be an 18-character org id starting with 00D") }
        guard DurationFormat.parse(tokenLifetime) != nil else {
            throw ValidationError("--token-lifetime: '\(tokenLifetime)' is not a duration (examples: 30s, 5m, 2h)")
        }
        guard (consumerKey == nil) == (certificate == nil) else {
            throw ValidationError("--consumer-key and --certificate go together: the app's key and the certificate uploaded to it")
        }
        guard contacts >= 0, cases >= 0, articles >= 0 else { throw ValidationError("--contacts, --cases and --articles cannot be negative") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0…65535") }
    }

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "sandbox")
        var configuration = SandboxConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.allowRemote = allowRemote
        configuration.seed = SeedData(seed: seed, contacts: contacts, cases: cases, articles: articles)
        configuration.tokenLifetime = DurationFormat.parse(tokenLifetime)!
        configuration.dailyApiLimit = dailyApiLimit
        configuration.organizationID = orgId
        configuration.customFields = try customField.map { try Self.customField($0, externalID: false) }
            + externalId.map { try Self.customField($0, externalID: true) }
        configuration.messaging.issuer = messagingIssuer
        configuration.messaging.jwksURL = messagingJwksUrl
        configuration.messaging.esDeveloperName = esDeveloperName
        if manualAgent { configuration.messaging.script = nil }
        for file in messagingJwk {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                Terminal.error("--messaging-jwk: cannot read \(file)")
                throw ExitCode.failure
            }
            configuration.messaging.uploadedKeys.append(text)
        }
        if let consumerKey, let certificate {
            let pem: String
            do {
                pem = try String(contentsOfFile: certificate, encoding: .utf8)
            } catch {
                Terminal.error("--certificate: cannot read \(certificate): \(error.localizedDescription)")
                throw ExitCode.failure
            }
            configuration.connectedApps = [ConnectedApp(consumerKey: consumerKey, certificate: pem,
                                                        users: username.isEmpty ? [SeedData.integrationUsername] : username)]
        }
        let sandbox: SalesforceSandbox
        do {
            sandbox = try SalesforceSandbox(configuration: configuration, logger: logger)
        } catch let error as SalesforceSandbox.StartError {
            Terminal.error("switchboard sandbox: \(error.description)")
            throw ExitCode.failure
        } catch {
            Terminal.error("--certificate: \(certificate ?? "") is not a PEM X.509 certificate with an RSA key")
            throw ExitCode.failure
        }
        let group = ServiceGroup(configuration: .init(services: [sandbox], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let seed = configuration.seed
        var details = """
              seed \(seed.seed): \(seed.contacts) contacts, \(seed.cases) cases, \(seed.articles) knowledge articles
              access tokens live \(tokenLifetime); daily API limit \(dailyApiLimit)
              Enhanced Messaging: org \(orgId.prefix(15)), deployment \(esDeveloperName), issuer \(messagingIssuer), keyset \(messagingJwksUrl ?? "\(messagingJwk.count) uploaded JWK(s)")\(manualAgent ? ", manual agent" : ", scripted agent")
            """
        if let app = configuration.connectedApps.first {
            details += "\n  connected app \(app.consumerKey), users: \(app.users.joined(separator: ", "))"
        }
        try await withThrowingTaskGroup(of: Void.self) { [details] tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                let base = await sandbox.baseURL()
                let banner = "Salesforce sandbox org listening on \(base)\n  login URL / instance URL: \(base)  (assertion aud: https://login.salesforce.com or https://test.salesforce.com)\n\(details)\n"
                    + "  control API: \(base)/__sandbox/ (see `switchboard sandbox --help`); Ctrl-C stops\n"
                FileHandle.standardOutput.write(Data(banner.utf8))
            }
            try await tasks.waitForAll()
        }
        logger.notice("sandbox stopped")
    }
}
