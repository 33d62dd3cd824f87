import ConnectorKit
import Foundation

/// The three token flows, built from a connector's settings (the paths of DESIGN §4):
///
/// | flow | key | claims |
/// |---|---|---|
/// | `bearer` | `auth.private_key` | `iss` = `auth.consumer_key`, `sub` = `auth.username`, `aud` = `org.audience`, else `org.login_url`, `exp` = now + 180 s |
/// | `live-agent` | `live-agent.private_key`, header `kid` = `live-agent.key_id` | `sub` (given), `iss` = `live-agent.issuer`, `iat`, `exp` |
/// | `live-assist` | `live-agent.private_key` | `sub` = contact GUID (given), `given_name`, `family_name`, `iss` = `live-agent.issuer`, `iat`, `exp` |
public enum ConnectorTokenMinter {
    /// A token flow.
    public enum Flow: String, Sendable, CaseIterable {
        case bearer
        case liveAgent = "live-agent"
        case liveAssist = "live-assist"
    }

    /// What to sign: the claims, the key's reference and the header `kid`.
    public struct Plan: Sendable {
        /// The claims.
        public var claims: JWTClaims
        /// The private key's reference.
        public var key: SecretReference
        /// The header `kid`, when the flow uses one.
        public var keyID: String?

        /// Creates a plan.
        public init(claims: JWTClaims, key: SecretReference, keyID: String?) {
            self.claims = claims
            self.key = key
            self.keyID = keyID
        }
    }

    /// Builds the plan for a flow from a connector's settings.
    /// - Parameters:
    ///   - subject: `sub` for live-agent (employee id) and live-assist (contact GUID); ignored for bearer.
    ///   - audience: overrides `org.login_url` for bearer (required when it is the `sandbox` keyword).
    ///   - resolve: reads a secret that becomes a claim (the bearer flow's consumer key).
    public static func plan(
        _ flow: Flow, connector: ConnectorConfiguration, subject: String?, givenName: String? = nil, familyName: String? = nil,
        audience: String? = nil, lifetime: Duration? = nil, now: Date, resolve: (SecretReference) throws -> String
    ) throws -> Plan {
        let settings = connector.settings
        func text(_ path: String) throws -> String {
            guard let value = settings.value(at: path)?.stringValue ?? settings.value(at: path)?.urlValue?.absoluteString else {
                throw KeyToolError("connector \(connector.name) has no \(path) setting, which the \(flow.rawValue) flow needs")
            }
            return value
        }
        func secret(_ path: String) throws -> SecretReference {
            guard let reference = settings.value(at: path)?.secretValue else {
                throw KeyToolError("connector \(connector.name) has no \(path) secret reference, which the \(flow.rawValue) flow needs")
            }
            return reference
        }
        func requireSubject() throws -> String {
            guard let subject, !subject.isEmpty else {
                throw KeyToolError("--sub is required for the \(flow.rawValue) flow (\(flow == .liveAssist ? "the Dynamics contact GUID" : "the employee's stable id"))")
            }
            return subject
        }
        switch flow {
        case .bearer:
            let login = settings.value(at: "org.login_url")
            let aud: String
            if let audience {
                aud = audience
            } else if let url = login?.urlValue {
                aud = JWTClaims.bearerAudience(configured: settings.value(at: "org.audience")?.stringValue, loginURL: url.absoluteString)
            } else if let configured = settings.value(at: "org.audience")?.stringValue {
                aud = configured
            } else {
                throw KeyToolError("connector \(connector.name) logs in to \(login?.description ?? "no org.login_url"); pass --aud with the audience the token endpoint expects")
            }
            let consumerKey: String
            switch settings.value(at: "auth.consumer_key") {
            case .sensitive(let literal)?: consumerKey = try literal.revealedString()
            case .string(let literal)?: consumerKey = literal
            default: consumerKey = try resolve(try secret("auth.consumer_key"))
            }
            return Plan(
                claims: .bearerAssertion(consumerKey: consumerKey, username: try text("auth.username"), audience: aud, now: now,
                                         lifetime: lifetime ?? .seconds(180)),
                key: try secret("auth.private_key"), keyID: nil)
        case .liveAgent:
            return Plan(
                claims: .messagingUserToken(subject: try requireSubject(), issuer: try text("live-agent.issuer"), now: now, lifetime: lifetime ?? .seconds(300)),
                key: try secret("live-agent.private_key"), keyID: try text("live-agent.key_id"))
        case .liveAssist:
            guard let givenName, let familyName else { throw KeyToolError("the live-assist flow needs --given-name and --family-name") }
            return Plan(
                claims: .liveAssistToken(contactId: try requireSubject(), givenName: givenName, familyName: familyName,
                                         issuer: try text("live-agent.issuer"), now: now, lifetime: lifetime ?? .seconds(900)),
                key: try secret("live-agent.private_key"), keyID: nil)
        }
    }
}
