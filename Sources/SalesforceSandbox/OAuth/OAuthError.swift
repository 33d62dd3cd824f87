/// A token-endpoint error with Salesforce's exact shape: HTTP 400,
/// `{"error":…,"error_description":…}` (salesforce-rest-api.md §1.4).
struct OAuthError: Error, Sendable, Hashable {
    let error: String
    let description: String

    static let unsupportedGrantType = OAuthError(error: "unsupported_grant_type", description: "grant type not supported")
    static let invalidAssertion = OAuthError(error: "invalid_grant", description: "invalid assertion")
    static let invalidClient = OAuthError(error: "invalid_client_id", description: "client identifier invalid")
    static let audienceInvalid = OAuthError(error: "invalid_grant", description: "audience is invalid")
    static let expired = OAuthError(error: "invalid_grant", description: "expired authorization code")
    static let notApproved = OAuthError(error: "invalid_grant", description: "user hasn't approved this consumer")

    var json: String { "{\"error\":\(JSONText.string(error)),\"error_description\":\(JSONText.string(description))}" }
}
