import ConnectorKit
import Foundation

/// `switchboard doctor` for Live Assist on Dynamics 365: the Entra ID token (client credentials), a
/// contact read (the application user's security role), and the signing key Live Assist verifies.
extension LiveAssistConnection {
    func diagnose() async -> [Diagnosis] {
        var found: [Diagnosis] = []
        let tokenTitle = "Entra ID gives the app registration a token for \(settings.orgURL)"
        do {
            _ = try await dynamics.token()
            found.append(.passed("dynamics.token", tokenTitle, "client \(settings.clientId) in tenant \(settings.tenant)"))
        } catch {
            found.append(.failed("dynamics.token", tokenTitle, "\(error)",
                                 fix: "check dynamics.tenant, dynamics.client_id and dynamics.client_secret against the app registration "
                                    + "(Entra admin center → App registrations → Certificates & secrets; a secret expires)"))
        }
        let readTitle = "the application user can read contacts"
        if found.last?.outcome == .passed {
            do {
                _ = try await dynamics.contacts(email: "switchboard-doctor@invalid.example")
                found.append(.passed("dynamics.contacts", readTitle))
            } catch {
                found.append(.failed("dynamics.contacts", readTitle, "\(error)",
                                     fix: "add the app as an application user (Power Platform admin center → the environment → Settings → Users + permissions → "
                                        + "Application users) with a security role that reads Contact"))
            }
        } else {
            found.append(.skipped("dynamics.contacts", readTitle, "no token"))
        }
        let keyTitle = "live-agent.private_key signs RS256 tokens"
        do {
            let key = try context.signer.signingKey(settings.privateKey)
            _ = try context.signer.sign(JWTClaims(), with: key)
            found.append(.passed("live-assist.key", keyTitle, "paste `switchboard keys live-assist-public-key` into Live Assist's JWT Public Key; JWT Issuer: \(settings.issuer)"))
        } catch {
            found.append(.failed("live-assist.key", keyTitle, "\(error)", fix: "live-agent.private_key must be a readable RSA key of 2048 bits or more"))
        }
        return found
    }
}
