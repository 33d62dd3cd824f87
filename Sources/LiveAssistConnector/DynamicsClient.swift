import ConnectorKit
import Foundation

/// The Dynamics 365 Web API over the host's transport, authenticated with the OAuth 2.0 client
/// credentials grant of the Microsoft identity platform (token cached until a minute before
/// `expires_in`, single-flight). A 429's `Retry-After` is honoured by the transport's retry policy.
final class DynamicsClient: AccessTokenSource, Sendable {
    /// A contact, as `contacts` returns it.
    struct Contact: Sendable, Hashable {
        var id: String
        var firstName: String
        var lastName: String
        var email: String
    }

    let settings: LiveAssistSettings
    let http: HTTPTransport
    let vault: CredentialVault
    let connector: String
    private let provider: TokenProvider<String>

    init(settings: LiveAssistSettings, http: HTTPTransport, vault: CredentialVault, connector: String) {
        self.settings = settings
        self.http = http
        self.vault = vault
        self.connector = connector
        provider = TokenProvider(refreshMargin: .seconds(60)) { [settings, http, vault, connector] in
            try await Self.requestToken(settings: settings, http: http, vault: vault, connector: connector)
        }
    }

    func token() async throws -> String { try await provider.token() }
    func invalidate(_ token: String) { provider.invalidate(token) }

    static func requestToken(settings: LiveAssistSettings, http: HTTPTransport, vault: CredentialVault, connector: String) async throws -> (String, Duration?) {
        let secret = try vault.resolve(settings.clientSecret).revealedString()
        let form = "client_id=\(formEscape(settings.clientId))&client_secret=\(formEscape(secret))&grant_type=client_credentials"
            + "&scope=\(formEscape(settings.orgURL + "/.default"))"
        let url = "\(settings.authority)/\(settings.tenant)/oauth2/v2.0/token"
        let response = try await http.send(.init(method: "POST", url: url, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                                                  body: Array(form.utf8), safeToRepeat: true, connector: connector))
        let json = try? JSONParser.parse(response.body)
        guard response.status == 200, let token = json?["access_token"]?.stringValue else {
            let error = json?["error"]?.stringValue ?? "HTTP \(response.status)"
            // The description carries the AADSTS code and a trace id, never the secret.
            let description = json?["error_description"]?.stringValue.map { String($0.prefix { $0 != "\r" && $0 != "\n" }) } ?? ""
            let advice = switch error {
            case "invalid_client": "dynamics.client_secret is wrong or expired (use the secret's value, not its id)"
            case "unauthorized_client": "dynamics.client_id names no app registration in tenant \(settings.tenant)"
            case "invalid_scope": "the scope \(settings.orgURL)/.default is not valid: check dynamics.url (the org URL)"
            case "invalid_request": "check dynamics.tenant (\(settings.tenant))"
            default: "check dynamics.tenant, client_id and client_secret"
            }
            throw ConnectorError.unauthorized("the Microsoft identity platform refused the client credentials — \(advice). It said: \(error): \(description)",
                                              httpStatus: response.status, upstreamCode: error)
        }
        let lifetime = json?["expires_in"]?.integerValue.map { Duration.seconds($0) }
        return (token, lifetime)
    }

    /// Contacts whose `emailaddress1` is `email` (at most two: enough to see ambiguity).
    func contacts(email: String) async throws -> [Contact] {
        let filter = "emailaddress1 eq " + Self.odataString(email)
        let url = "\(settings.orgURL)/api/data/v\(settings.apiVersion)/contacts?$select=contactid,firstname,lastname,emailaddress1&$filter="
            + Self.queryEscape(filter)
        let response = try await http.send(.init(url: url, headers: [
            ("Accept", "application/json"), ("OData-MaxVersion", "4.0"), ("OData-Version", "4.0"), ("If-None-Match", "null"),
            ("Prefer", "odata.maxpagesize=2"),
        ], authorization: self, connector: connector))
        let json = try? JSONParser.parse(response.body)
        guard response.status == 200, case .array(let rows)? = json?["value"] else {
            let message = json?["error"]?["message"]?.stringValue ?? "HTTP \(response.status)"
            if response.status == 429 {
                throw ConnectorError.rateLimited("Dynamics 365 service protection limit: \(message)", retryAfterSeconds: response.header("Retry-After").flatMap(Int.init))
            }
            if response.status == 403 {
                throw ConnectorError.unauthorized("the Dynamics application user cannot read contacts (give it a security role that can): \(message)", httpStatus: 403)
            }
            throw ConnectorError.upstream("Dynamics 365 contact lookup failed: \(message)", httpStatus: response.status)
        }
        return rows.compactMap { row in
            guard let id = row["contactid"]?.stringValue else { return nil }
            return Contact(id: id.lowercased(), firstName: row["firstname"]?.stringValue ?? "", lastName: row["lastname"]?.stringValue ?? "",
                           email: row["emailaddress1"]?.stringValue ?? "")
        }
    }

    /// An OData string literal: single quotes, an embedded quote doubled (`O''Brien`).
    static func odataString(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// Percent-encodes a query value (everything but unreserved characters).
    static func queryEscape(_ text: String) -> String { PercentEncoding.encode(text) }

    static func formEscape(_ text: String) -> String { PercentEncoding.encode(text) }
}
