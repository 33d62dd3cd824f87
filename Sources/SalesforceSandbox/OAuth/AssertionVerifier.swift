import Foundation
import JWTKit

/// Checks a JWT bearer assertion the way Salesforce's token endpoint does: the consumer key
/// (`iss`) names a connected app, the signature verifies against the app's uploaded certificate
/// (with jwt-kit — never with the host's own signer), `aud` is accepted, `exp` is not past, and
/// the user (`sub`, or legacy `prn`) is pre-authorized.
struct AssertionVerifier {
    let org: SandboxOrg
    /// What a real org accepts as `aud` (an app may list an Experience Cloud site's URL instead).
    static let documentedAudiences = ["https://login.salesforce.com", "https://test.salesforce.com"]

    /// The username the assertion authenticates.
    func verify(_ assertion: String, now: Date = Date()) async throws(OAuthError) -> String {
        let claims: AssertionClaims
        do {
            claims = try await JWTKeyCollection().unverified(assertion, as: AssertionClaims.self)
        } catch {
            throw .invalidAssertion
        }
        guard let consumerKey = claims.iss, let app = org.app(consumerKey), let keys = await org.verificationKeys(for: consumerKey) else {
            throw .invalidClient
        }
        do {
            _ = try await keys.verify(assertion, as: AssertionClaims.self)
        } catch {
            throw .invalidAssertion
        }
        // The documented audiences only (the sandbox's own URL is a login host, not an audience).
        let audiences = app.audiences ?? Self.documentedAudiences
        guard claims.aud.contains(where: { audience in audiences.contains { Self.sameURL($0, audience) } }) else { throw .audienceInvalid }
        let leeway = Double(org.configuration.assertionLeeway.components.seconds)
        guard let exp = claims.exp, exp + leeway >= now.timeIntervalSince1970 else { throw .expired }
        guard let user = claims.subject, app.users.contains(where: { $0.lowercased() == user.lowercased() }) else { throw .notApproved }
        return user
    }

    /// URLs compare without a trailing slash.
    static func sameURL(_ a: String, _ b: String) -> Bool {
        func trimmed(_ s: String) -> String { s.hasSuffix("/") ? String(s.dropLast()) : s }
        return trimmed(a) == trimmed(b)
    }
}
