import ConnectorKit
import Foundation

/// What `jwt inspect` checks a token against.
public enum InspectionKey: Sendable {
    /// One JWK (its `kid` must match the token's).
    case jwk(JWK)
    /// A JWKS (must contain the token's `kid`).
    case jwks(JWKS)
    /// A certificate's key (no `kid` to compare).
    case certificate(RSAPublicKey)
}

/// One check of `jwt inspect`.
public struct TokenCheck: Sendable, Hashable {
    /// Stable ids of the checks.
    public enum Name: String, Sendable, Hashable, CaseIterable {
        case profile
        case alg, typ, kid, sub, iss, aud, iat, exp
        case givenName = "given_name"
        case familyName = "family_name"
        case lifetime
        case expSeconds = "exp-seconds"
        case expFuture = "exp-future"
        case kidMatches = "kid-matches"
        case signature
    }

    /// Which check.
    public var name: Name
    /// Passed, failed, or not applicable (`nil`: e.g. no key given to check the signature).
    public var passed: Bool?
    /// What was seen.
    public var detail: String

    /// The report line.
    public var line: String { "\(passed == nil ? "–" : passed! ? "✓" : "✗") \(name.rawValue): \(detail)" }
}

/// Decodes a token locally (production tokens must never be pasted into websites) and checks it
/// the way Salesforce and Live Assist will.
public enum TokenInspector {
    /// The decoded token and every check, by `profile`'s rules (detected from the token when nil).
    /// Throws only when the token cannot be decoded at all.
    public static func inspect(_ token: String, key: InspectionKey?, profile: TokenProfile? = nil, now: Date = Date()) throws(JWTError) -> (DecodedJWT, [TokenCheck]) {
        let decoded = try JWTVerifier.decode(token)
        let (chosen, reason) = profile.map { ($0, "as asked") } ?? TokenProfile.detect(decoded)
        var checks: [TokenCheck] = [.init(name: .profile, passed: nil, detail: "\(chosen.rawValue) (\(reason)); --profile bearer|messaging|live-assist|generic")]
        checks += profileChecks(decoded, chosen, now: now)
        checks += expiry(decoded.claims["exp"], now: now)

        switch key {
        case nil:
            checks.append(.init(name: .signature, passed: nil, detail: "not checked: pass --jwk, --jwks or --cert"))
        case .certificate(let publicKey):
            checks.append(signature(decoded, publicKey))
        case .jwk(let jwk):
            // A token without a kid (bearer, Live Assist) is checked against the one key given.
            if decoded.keyID != nil || chosen == .messaging { checks.append(kidMatch(decoded.keyID, available: [jwk.keyID].compactMap { $0 })) }
            checks.append(signature(decoded, try? jwk.publicKey()))
        case .jwks(let set):
            if decoded.keyID == nil, chosen != .messaging, set.keys.count == 1 {
                checks.append(signature(decoded, try? set.keys[0].publicKey()))
            } else {
                checks.append(kidMatch(decoded.keyID, available: set.keys.compactMap(\.keyID)))
                checks.append(signature(decoded, JWTVerifier.key(for: decoded, in: set).flatMap { try? $0.publicKey() }))
            }
        }
        return (decoded, checks)
    }

    static func present(_ value: JSONValue?, _ name: TokenCheck.Name, where part: String, hint: String) -> TokenCheck {
        switch value {
        case .string(let s)? where !s.isEmpty: .init(name: name, passed: true, detail: s)
        case nil: .init(name: name, passed: false, detail: "missing from the \(part) (\(hint))")
        case let other?: .init(name: name, passed: false, detail: "\(other) is not a non-empty string")
        }
    }

    static func expiry(_ value: JSONValue?, now: Date) -> [TokenCheck] {
        switch value {
        case nil:
            return [.init(name: .exp, passed: false, detail: "missing from the payload (tokens need an expiry)")]
        case .string(let s)?:
            return [.init(name: .exp, passed: true, detail: "present"),
                    .init(name: .expSeconds, passed: false, detail: "exp is the string \"\(s)\"; NumericDate must be a JSON number of seconds")]
        case .number(let d)?:
            return [.init(name: .exp, passed: true, detail: "present"),
                    .init(name: .expSeconds, passed: false, detail: "exp is \(d), with a fraction; use whole seconds")]
        case .integer(let seconds)?:
            var checks: [TokenCheck] = [.init(name: .exp, passed: true, detail: "\(seconds) = \(human(seconds))")]
            if seconds > 100_000_000_000 {
                checks.append(.init(name: .expSeconds, passed: false,
                    detail: "exp \(seconds) looks like milliseconds (\(human(seconds / 1000)) if read as ms); NumericDate is seconds"))
                return checks
            }
            checks.append(.init(name: .expSeconds, passed: true, detail: "integer seconds"))
            let remaining = Double(seconds) - now.timeIntervalSince1970
            checks.append(remaining > 0
                ? .init(name: .expFuture, passed: true, detail: "expires in \(Int(remaining)) s")
                : .init(name: .expFuture, passed: false, detail: "expired \(Int(-remaining)) s ago, at \(human(seconds))"))
            return checks
        case let other?:
            return [.init(name: .exp, passed: false, detail: "\(other) is not a NumericDate")]
        }
    }

    static func kidMatch(_ kid: String?, available: [String]) -> TokenCheck {
        guard let kid else { return .init(name: .kidMatches, passed: false, detail: "the token has no kid to match against \(available)") }
        return available.contains(kid) ? .init(name: .kidMatches, passed: true, detail: kid)
            : .init(name: .kidMatches, passed: false, detail: "kid \"\(kid)\" is not among the key ids given: \(available.joined(separator: ", "))")
    }

    static func signature(_ decoded: DecodedJWT, _ key: RSAPublicKey?) -> TokenCheck {
        guard let key else { return .init(name: .signature, passed: false, detail: "no usable key to check against") }
        guard (try? JWTVerifier.algorithm(of: decoded)) != nil else {
            return .init(name: .signature, passed: false, detail: "not verifiable: the algorithm is not accepted")
        }
        return JWTVerifier.isSignatureValid(decoded, key: key)
            ? .init(name: .signature, passed: true, detail: "valid")
            : .init(name: .signature, passed: false, detail: "INVALID: the token was altered, or signed with another key")
    }

    /// `1767225600` → `2026-01-01T00:00:00Z`.
    public static func human(_ seconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
    }

    /// Header and claims as indented lines, NumericDates followed by their date.
    public static func describe(_ decoded: DecodedJWT) -> String {
        func lines(_ value: JSONValue) -> [String] {
            guard case .object(let members) = value else { return ["  \(value)"] }
            return members.map { member in
                var line = "  \(member.name): \(member.value)"
                if ["exp", "iat", "nbf"].contains(member.name), case .integer(let s) = member.value, s < 100_000_000_000 { line += "  (\(human(s)))" }
                return line
            }
        }
        return (["header:"] + lines(decoded.header) + ["payload:"] + lines(decoded.claims)).joined(separator: "\n")
    }
}
