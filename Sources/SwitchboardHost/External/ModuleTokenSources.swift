import ConnectorKit
import Foundation
import ModuleProtocol
import Synchronization

/// The access tokens the host gets for an external module (`"oauth"` on `http.request`), so the
/// module's requests are authorised without it seeing a client secret, a private key or even the
/// token: OAuth 2.0 client credentials, or a JWT bearer assertion the host signs. One cached,
/// single-flight ``TokenProvider`` per distinct grant; a 401 invalidates the token and the host's
/// transport retries once with a new one.
final class ModuleTokenSources: Sendable {
    private let providers = Mutex<[String: TokenProvider<String>]>([:])

    /// The token source for an `"oauth"` object, made on first use.
    func source(_ grant: JSONValue, context: ConnectorContext, allowed: (JSONValue?, String) throws -> SecretReference) throws -> TokenProvider<String> {
        let key = grant.description
        if let provider = providers.withLock({ $0[key] }) { return provider }
        guard let tokenURL = grant["tokenURL"]?.stringValue else { throw RPCError.invalidParams("oauth needs tokenURL") }
        let form: @Sendable () throws -> [(String, String)]
        switch grant["grant"]?.stringValue {
        case "client_credentials":
            guard let clientId = grant["clientId"]?.stringValue else { throw RPCError.invalidParams("client_credentials needs clientId") }
            let secret = try allowed(grant["clientSecret"], "oauth.clientSecret")
            let scope = grant["scope"]?.stringValue
            form = {
                [("grant_type", "client_credentials"), ("client_id", clientId), ("client_secret", try context.vault.resolve(secret).revealedString())]
                    + (scope.map { [("scope", $0)] } ?? [])
            }
        case "jwt_bearer":
            let key = try allowed(grant["key"], "oauth.key")
            guard let members = grant["claims"]?.members else { throw RPCError.invalidParams("jwt_bearer needs claims: {iss, sub, aud}") }
            let lifetime = grant["lifetimeSeconds"]?.integerValue ?? 180
            form = {
                var claims = JWTClaims()
                for member in members { claims[member.name] = member.value }
                claims.set("exp", date: Date().addingTimeInterval(Double(lifetime)))
                let assertion = try context.signer.sign(claims, with: try context.signer.signingKey(key))
                return [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)]
            }
        default:
            throw RPCError.invalidParams("oauth.grant must be client_credentials or jwt_bearer")
        }
        let provider = TokenProvider<String> {
            let body = try form().map { "\(PercentEncoding.encode($0.0))=\(PercentEncoding.encode($0.1))" }.joined(separator: "&")
            let response = try await context.http.send(HTTPTransport.Request(
                method: "POST", url: tokenURL, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                body: Array(body.utf8), safeToRepeat: true, connector: context.connectorName))
            guard response.status == 200, let json = try? JSONParser.parse(response.body), let token = json["access_token"]?.stringValue else {
                throw ConnectorError.unauthorized("the token endpoint refused the module's \(grant["grant"]?.stringValue ?? "") grant (HTTP \(response.status))",
                                                  httpStatus: response.status)
            }
            return (token, json["expires_in"]?.integerValue.map { .seconds($0) })
        }
        return providers.withLock { providers in
            if let existing = providers[key] { return existing }
            providers[key] = provider
            return provider
        }
    }
}
