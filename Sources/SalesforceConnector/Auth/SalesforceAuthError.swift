/// Why Salesforce refused to issue an access token, said so an admin knows what to fix.
/// Token-endpoint refusals are configuration errors: they are never retried.
public struct SalesforceAuthError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Code: Sendable, Hashable {
        case userNotApproved, invalidAssertion, audienceInvalid, assertionExpired, unknownConsumerKey, unsupportedGrant, other, badResponse,
             unavailable
    }

    let code: Code
    /// Salesforce's `error` and `error_description`, when it sent them.
    public let upstreamError: String?
    /// Salesforce's `error_description`.
    public let upstreamDescription: String?
    /// What happened and what to do.
    public let description: String

    /// The user is not pre-authorized for the connected app.
    public static func userNotApproved(username: String) -> Self {
        .init(code: .userNotApproved, upstreamError: "invalid_grant", upstreamDescription: "user hasn't approved this consumer",
              description: "Salesforce refused the token: user '\(username)' is not approved for this connected app (invalid_grant: user hasn't "
                + "approved this consumer). Fix: in Setup → App Manager → the app → Manage → Edit Policies, set Permitted Users to "
                + "'Admin approved users are pre-authorized', then add the user's profile or a permission set (auth.username).")
    }

    /// The signature does not verify against the uploaded certificate, or the JWT is malformed.
    public static let invalidAssertion = Self(
        code: .invalidAssertion, upstreamError: "invalid_grant", upstreamDescription: "invalid assertion",
        description: "Salesforce refused the token: the assertion's signature does not match the certificate uploaded to the connected app "
            + "(invalid_grant: invalid assertion). Fix: upload the certificate made from this private key (auth.private_key) — "
            + "`switchboard keys generate` writes both — and check it with `switchboard keys check CERT --private-key KEY`.")

    /// `aud` is not accepted by that login host.
    public static func audienceInvalid(audience: String) -> Self {
        .init(code: .audienceInvalid, upstreamError: "invalid_grant", upstreamDescription: "audience is invalid",
              description: "Salesforce refused the token: the audience '\(audience)' is not accepted (invalid_grant: audience is invalid). "
                + "Fix: use https://login.salesforce.com for production orgs, https://test.salesforce.com for sandboxes, or the "
                + "site URL for Experience Cloud users (org.audience, else org.login_url).")
    }

    /// The assertion had expired when Salesforce read it.
    public static let assertionExpired = Self(
        code: .assertionExpired, upstreamError: "invalid_grant", upstreamDescription: "expired authorization code",
        description: "Salesforce refused the token: the assertion had already expired (invalid_grant: expired authorization code). "
            + "Fix: this machine's clock is probably wrong — check it against UTC (e.g. enable NTP); exp is now + 180 s.")

    /// `iss` is not a consumer key on that login host.
    public static func unknownConsumerKey(loginURL: String) -> Self {
        .init(code: .unknownConsumerKey, upstreamError: "invalid_client_id", upstreamDescription: "client identifier invalid",
              description: "Salesforce refused the token: \(loginURL) does not know this consumer key (invalid_client_id: client identifier "
                + "invalid). Fix: copy the Consumer Key from the connected app into auth.consumer_key; a production app's key does "
                + "not work against test.salesforce.com and vice versa (org.login_url).")
    }

    /// Another token-endpoint error, passed on as Salesforce said it.
    public static func other(error: String, description: String, status: Int) -> Self {
        .init(code: error == "unsupported_grant_type" ? .unsupportedGrant : .other, upstreamError: error, upstreamDescription: description,
              description: "Salesforce refused the token (HTTP \(status), \(error): \(description)).")
    }

    /// The token endpoint failed on Salesforce's side (5xx, after the retries): nothing to fix here.
    public static func unavailable(status: Int) -> Self {
        .init(code: .unavailable, upstreamError: nil, upstreamDescription: nil,
              description: "Salesforce's token endpoint failed (HTTP \(status)), a failure on Salesforce's side (an outage or maintenance), "
                + "not a problem with the settings; the request was retried and will be again")
    }

    /// The token endpoint answered something that is not an OAuth response.
    public static func badResponse(status: Int, loginURL: String) -> Self {
        .init(code: .badResponse, upstreamError: nil, upstreamDescription: nil,
              description: "the token endpoint \(loginURL)/services/oauth2/token answered HTTP \(status) without an OAuth response; "
                + "check org.login_url")
    }

    /// True for the refusal kinds, for tests and callers that branch.
    public var isUserNotApproved: Bool { code == .userNotApproved }
    /// True for a bad signature or malformed assertion.
    public var isInvalidAssertion: Bool { code == .invalidAssertion }
    /// True for a refused `aud`.
    public var isAudienceInvalid: Bool { code == .audienceInvalid }
    /// True for an expired assertion.
    public var isAssertionExpired: Bool { code == .assertionExpired }
    /// True for an unknown consumer key.
    public var isUnknownConsumerKey: Bool { code == .unknownConsumerKey }
    /// True when the token endpoint failed on Salesforce's side (retrying later may succeed).
    public var isUnavailable: Bool { code == .unavailable }
}
