import ConnectorKit
import Foundation

/// The OAuth 2.0 JWT bearer flow for Salesforce, as an ``AccessTokenSource`` for the shared
/// transport: builds the assertion (`iss` consumer key, `sub` username, `aud` the org's audience,
/// `exp` now + 180 s) with the host's ``JWTSigner``, posts it to `{login_url}/services/oauth2/token`,
/// and caches the token single-flight until a 401 (Salesforce sends no lifetime). Refusals become
/// ``SalesforceAuthError``s that say what to fix.
public final class SalesforceJWTBearerAuth: AccessTokenSource, Sendable {
    /// What the flow needs.
    public struct Credentials: Sendable, Hashable {
        /// The connected app's consumer key (`iss`).
        public var consumerKey: String
        /// The run-as username (`sub`).
        public var username: String
        /// Where to post the assertion: `https://login.salesforce.com`, a My Domain URL, or the sandbox.
        public var loginURL: String
        /// The `aud` claim (``SalesforceAudience``).
        public var audience: String
        /// The private key, resolved through the vault.
        public var privateKey: SecretReference

        /// Creates credentials.
        public init(consumerKey: String, username: String, loginURL: String, audience: String = SalesforceAudience.production, privateKey: SecretReference) {
            self.consumerKey = consumerKey
            self.username = username
            self.loginURL = loginURL.hasSuffix("/") ? String(loginURL.dropLast()) : loginURL
            self.audience = audience
            self.privateKey = privateKey
        }
    }

    private let credentials: Credentials
    private let signer: JWTSigner
    private let http: HTTPTransport
    private let connector: String
    private let provider: TokenProvider<SalesforceSession>

    /// Creates the flow over the host's shared signer and transport.
    public init(credentials: Credentials, signer: JWTSigner, http: HTTPTransport, connector: String) {
        self.credentials = credentials
        self.signer = signer
        self.http = http
        self.connector = connector
        self.provider = TokenProvider(refreshMargin: .zero) { [credentials, signer, http, connector] in
            (try await Self.requestSession(credentials: credentials, signer: signer, http: http, connector: connector), nil)
        }
    }

    /// The current session (token + instance URL), fetching one if needed.
    public func session() async throws -> SalesforceSession { try await provider.token() }

    /// The current access token.
    public func token() async throws -> String { try await session().accessToken }

    /// Forgets a token Salesforce refused (HTTP 401); the next call mints a new assertion.
    public func invalidate(_ token: String) {
        provider.invalidate(SalesforceSession(accessToken: token, instanceURL: ""))
    }

    /// One token request.
    static func requestSession(credentials: Credentials, signer: JWTSigner, http: HTTPTransport, connector: String) async throws -> SalesforceSession {
        let key = try signer.signingKey(credentials.privateKey)
        let audience = credentials.audience
        let claims = JWTClaims.bearerAssertion(consumerKey: credentials.consumerKey, username: credentials.username, audience: audience,
                                               now: signer.clock.now())
        let assertion = try signer.sign(claims, with: key)
        let form = "grant_type=" + formEscape("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion=" + formEscape(assertion)
        // Minting again is harmless, so a 5xx or a dropped connection may be retried.
        let response: HTTPTransport.Response
        do {
            response = try await http.send(.init(
                method: "POST", url: credentials.loginURL + "/services/oauth2/token",
                headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                body: Array(form.utf8), safeToRepeat: true, connector: connector))
        } catch let error as TransportError where (error.status ?? 0) >= 500 {
            throw SalesforceAuthError.unavailable(status: error.status ?? 500)
        }
        let json = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        if response.status >= 500 { throw SalesforceAuthError.unavailable(status: response.status) }
        if response.status == 200 {
            guard let token = json?["access_token"] as? String, let instance = json?["instance_url"] as? String else {
                throw SalesforceAuthError.badResponse(status: response.status, loginURL: credentials.loginURL)
            }
            let userID = (json?["id"] as? String)?.split(separator: "/").last.map(String.init)
            return SalesforceSession(accessToken: token, instanceURL: instance.hasSuffix("/") ? String(instance.dropLast()) : instance, userID: userID)
        }
        guard let error = json?["error"] as? String else {
            throw SalesforceAuthError.badResponse(status: response.status, loginURL: credentials.loginURL)
        }
        let description = json?["error_description"] as? String ?? ""
        switch (error, description) {
        case ("invalid_grant", "user hasn't approved this consumer"): throw SalesforceAuthError.userNotApproved(username: credentials.username)
        case ("invalid_grant", "invalid assertion"): throw SalesforceAuthError.invalidAssertion
        case ("invalid_grant", "audience is invalid"): throw SalesforceAuthError.audienceInvalid(audience: audience)
        case ("invalid_grant", let text) where text.contains("expired"): throw SalesforceAuthError.assertionExpired
        case ("invalid_client_id", _): throw SalesforceAuthError.unknownConsumerKey(loginURL: credentials.loginURL)
        default: throw SalesforceAuthError.other(error: error, description: description, status: response.status)
        }
    }

    /// `application/x-www-form-urlencoded` escaping (unreserved characters pass).
    static func formEscape(_ text: String) -> String { PercentEncoding.encode(text) }
}
