import Foundation

/// A JWT claim set: named JSON values in the order they are added, so the encoded token is
/// deterministic. NumericDate claims (`iat`, `exp`, `nbf`) are integers in **seconds**.
public struct JWTClaims: Sendable, Hashable {
    /// The claims, in order.
    public private(set) var members: [JSONMember] = []

    /// An empty claim set.
    public init() {}

    /// A claim's value; setting replaces in place or appends.
    public subscript(name: String) -> JSONValue? {
        get { members.last { $0.name == name }?.value }
        set {
            if let index = members.firstIndex(where: { $0.name == name }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append(JSONMember(name, newValue))
            }
        }
    }

    /// Sets a string claim.
    public mutating func set(_ name: String, _ value: String) { self[name] = .string(value) }

    /// Sets a NumericDate claim: whole seconds since 1970, as an integer.
    public mutating func set(_ name: String, date: Date) {
        self[name] = .integer(Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    /// The claims as a JSON object.
    public var json: JSONValue { .object(members) }

    /// The OAuth 2.0 JWT Bearer assertion for Salesforce: `iss` = consumer key, `sub` = username,
    /// `aud` = the org's audience, `exp` = now + 180 s (Salesforce accepts at most 3 minutes).
    public static func bearerAssertion(consumerKey: String, username: String, audience: String, now: Date,
                                       lifetime: Duration = .seconds(180)) -> JWTClaims {
        var claims = JWTClaims()
        claims.set("iss", consumerKey)
        claims.set("sub", username)
        claims.set("aud", audience)
        claims.set("exp", date: now.addingTimeInterval(lifetime.seconds))
        return claims
    }

    /// The Enhanced Messaging user-verification token: `sub` = the employee's stable id, `iss` =
    /// the keyset's issuer, `iat`, and a short `exp`. The header carries the key's `kid`.
    public static func messagingUserToken(subject: String, issuer: String, now: Date, lifetime: Duration = .seconds(300)) -> JWTClaims {
        var claims = JWTClaims()
        claims.set("sub", subject)
        claims.set("iss", issuer)
        claims.set("iat", date: now)
        claims.set("exp", date: now.addingTimeInterval(lifetime.seconds))
        return claims
    }

    /// The Live Assist authenticated-chat token: `sub` = the Dynamics contact GUID (lowercase),
    /// `given_name`, `family_name`, `iss` (pasted identically into Live Assist), `iat`, `exp`.
    public static func liveAssistToken(contactId: String, givenName: String, familyName: String, issuer: String, now: Date,
                                       lifetime: Duration = .seconds(900)) -> JWTClaims {
        var claims = JWTClaims()
        claims.set("sub", contactId.lowercased())
        claims.set("given_name", givenName)
        claims.set("family_name", familyName)
        claims.set("iss", issuer)
        claims.set("iat", date: now)
        claims.set("exp", date: now.addingTimeInterval(lifetime.seconds))
        return claims
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
