import ConnectorKit
import Foundation
import ServiceLifecycle
import Synchronization

/// One Dynamics 365 org with Live Assist: a handoff finds the employee's contact by e-mail and
/// mints the authenticated-chat token Live Assist verifies (RS256; `sub` = the contact GUID,
/// `given_name`, `family_name`, `iss`, integer `iat`/`exp`). The chat itself runs in the Live
/// Assist web client, which receives the token through `authoriseChatWithCallback`.
final class LiveAssistConnection: Connector, ChatTokenIssuer, Sendable, CustomStringConvertible {
    let configuration: ConnectorConfiguration
    let settings: LiveAssistSettings
    let context: ConnectorContext
    let dynamics: DynamicsClient
    private let lastCheck = Mutex<HealthReport.Check?>(nil)

    init(configuration: ConnectorConfiguration, settings: LiveAssistSettings, context: ConnectorContext) {
        self.configuration = configuration
        self.settings = settings
        self.context = context
        dynamics = DynamicsClient(settings: settings, http: context.http, vault: context.vault, connector: configuration.name)
    }

    var description: String { "LiveAssistConnection(\(configuration.name))" }

    /// Live Assist's chat runs in its own web client: the live-agent feature is a token issuer.
    var chatTokens: (any ChatTokenIssuer)? { configuration.isEnabled(.liveAgent) ? self : nil }

    /// Nothing runs in the background: tokens are minted on request.
    func run() async throws { try? await gracefulShutdown() }

    func check() async -> HealthReport {
        if let check = lastCheck.withLock({ $0 }) { return HealthReport(checks: [check]) }
        return .healthy("live-assist", detail: "ready; no token minted yet")
    }

    /// Finds the contact and mints the token. An unknown e-mail is a not-found error, never a token;
    /// an e-mail shared by several contacts is a conflict (the chat would pop the wrong record).
    func issueChatToken(for request: HandoffRequest) async throws -> ChatToken {
        guard let email = request.email?.trimmingCharacters(in: .whitespaces), !email.isEmpty else {
            throw ConnectorError.invalidRequest("email is required: Live Assist identifies the employee by their Dynamics contact", field: "email")
        }
        let contacts: [DynamicsClient.Contact]
        do {
            contacts = try await dynamics.contacts(email: email)
        } catch let error as ConnectorError {
            // Refused app credentials (dynamics.client_secret): nothing can be served until an admin
            // fixes them. Anything else is shown, but one failed request does not make it not ready.
            record(error.code == .unauthorized ? .unhealthy : .degraded, "the last handoff failed: \(error.message)")
            throw error
        }
        guard let contact = contacts.first else { throw ConnectorError.notFound("no Dynamics 365 contact has the e-mail \(email)") }
        guard contacts.count == 1 else {
            throw ConnectorError.conflict("several Dynamics 365 contacts share the e-mail \(email); Live Assist needs exactly one")
        }
        let now = context.clock.now()
        let claims = JWTClaims.liveAssistToken(contactId: contact.id, givenName: contact.firstName.isEmpty ? (request.firstName ?? "") : contact.firstName,
                                               familyName: contact.lastName.isEmpty ? (request.lastName ?? "") : contact.lastName,
                                               issuer: settings.issuer, now: now, lifetime: settings.tokenLifetime)
        let token = try context.signer.sign(claims, with: try context.signer.signingKey(settings.privateKey))
        let expiresAt = Date(timeIntervalSince1970: (now.timeIntervalSince1970 + Double(settings.tokenLifetime.components.seconds)).rounded(.down))
        record(.healthy, "last token minted for a contact")
        return ChatToken(conversationId: contact.id, token: Secret(token), expiresAt: expiresAt)
    }

    private func record(_ status: HealthReport.Status, _ detail: String) {
        lastCheck.withLock { $0 = HealthReport.Check(name: "live-assist", status: status, detail: detail) }
    }
}
