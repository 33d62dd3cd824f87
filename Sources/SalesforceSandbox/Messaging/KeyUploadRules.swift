import Foundation
import X509

/// What Setup accepts as an uploaded key of a user verification keyset (salesforce-messaging-api.md §6):
/// one RSA JWK with `kty`, `kid`, `alg` RS256, `use` sig, `n`, `e` and `x5c` — the standard base64
/// DER of a certificate valid for at least 10 more days — and no private members. The sandbox
/// refuses anything else, so a key that a real org would refuse never works here.
public enum KeyUploadRules {
    /// Why an uploaded JWK would be refused, or nil when it is acceptable.
    public static func refusal(_ jwk: [String: Any], now: Date = Date()) -> String? {
        let privateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"].filter { jwk[$0] != nil }
        if !privateMembers.isEmpty { return "the JWK holds private members (\(privateMembers.joined(separator: ", "))): upload the public key only" }
        guard jwk["kty"] as? String == "RSA" else { return "kty must be RSA" }
        guard let kid = jwk["kid"] as? String, !kid.isEmpty else { return "the JWK needs a kid" }
        guard jwk["alg"] as? String == "RS256" else { return "alg must be RS256" }
        guard jwk["use"] as? String == "sig" else { return "use must be sig" }
        guard jwk["n"] is String, jwk["e"] is String else { return "the JWK needs n and e" }
        guard let chain = jwk["x5c"] as? [String], let first = chain.first else { return "the JWK needs x5c (the certificate)" }
        guard let der = Data(base64Encoded: first), let certificate = try? Certificate(derEncoded: Array(der)) else {
            return "x5c[0] is not standard base64 of a DER certificate"
        }
        guard certificate.notValidAfter.timeIntervalSince(now) >= 10 * 86_400 else {
            return "the certificate must stay valid for at least 10 more days (it expires \(certificate.notValidAfter.formatted(.iso8601)))"
        }
        return nil
    }

    /// Why a JWK given as JSON text would be refused.
    public static func refusal(text: String, now: Date = Date()) -> String? {
        guard let jwk = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            return "one JSON object per key (an array or a JWKS is not an upload)"
        }
        return refusal(jwk, now: now)
    }
}
