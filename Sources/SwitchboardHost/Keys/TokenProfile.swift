import ConnectorKit
import Foundation

/// Which flow a token belongs to, and so which rules `jwt inspect` applies: each receiver checks
/// its own (references: salesforce-rest-api.md §1.2, salesforce-messaging-api.md §6, live-assist-dynamics.md §3).
public enum TokenProfile: String, Sendable, CaseIterable {
    /// Salesforce's OAuth 2.0 JWT bearer assertion: RS256; iss consumer key, sub username, aud the
    /// org's audience, exp within 3 minutes; no kid (the connected app's certificate picks the key).
    case bearer
    /// Enhanced Messaging user verification: RS256/RS512, kid of a keyset key, sub, iss, iat, exp; no aud.
    case messaging
    /// Live Assist's authenticated chat: RS256, no kid, sub the contact GUID, iss, given_name,
    /// family_name, iat, exp.
    case liveAssist = "live-assist"
    /// Any other JWT: alg, sub, iss and exp.
    case generic

    /// The profile a token looks like, and why.
    public static func detect(_ decoded: DecodedJWT) -> (TokenProfile, String) {
        let claims = decoded.claims
        if let aud = claims["aud"]?.stringValue, Self.isSalesforceLoginHost(aud) || claims["sub"]?.stringValue?.contains("@") == true {
            return (.bearer, "aud is \(aud)")
        }
        if decoded.keyID != nil, claims["aud"] == nil { return (.messaging, "it has a kid and no aud") }
        if claims["given_name"] != nil || claims["family_name"] != nil || claims["sub"]?.stringValue.map(Self.isGUID) == true {
            return (.liveAssist, claims["given_name"] != nil ? "it has given_name and no kid" : "sub is a GUID")
        }
        return (.generic, "no flow's shape")
    }

    static func isSalesforceLoginHost(_ url: String) -> Bool {
        let host = URL(string: url)?.host?.lowercased() ?? ""
        return host == "login.salesforce.com" || host == "test.salesforce.com" || host.hasSuffix(".my.salesforce.com") || host.hasSuffix(".my.site.com")
    }

    /// A canonical GUID (`7d51925c-cde2-e411-80db-00155d2a68cb`).
    static func isGUID(_ text: String) -> Bool {
        text.range(of: #"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"#, options: .regularExpression) != nil
    }

    /// The algorithms the receiver accepts.
    var algorithms: [String] {
        switch self {
        case .bearer, .liveAssist: ["RS256"]
        case .messaging: ["RS256", "RS512"]
        case .generic: JWTAlgorithm.allCases.map(\.rawValue)
        }
    }
}

extension TokenInspector {
    /// The header and claim checks of a profile (the expiry and signature checks are shared).
    static func profileChecks(_ decoded: DecodedJWT, _ profile: TokenProfile, now: Date) -> [TokenCheck] {
        var checks: [TokenCheck] = []
        let claims = decoded.claims
        switch decoded.algorithmName {
        case nil: checks.append(.init(name: .alg, passed: false, detail: "the header has no alg"))
        case "none"?: checks.append(.init(name: .alg, passed: false, detail: "alg \"none\" means unsigned; it is always rejected"))
        case let name? where !profile.algorithms.contains(name):
            checks.append(.init(name: .alg, passed: false, detail: "alg \"\(name)\" is not accepted here; use \(profile.algorithms.joined(separator: " or "))"))
        case let name?: checks.append(.init(name: .alg, passed: true, detail: name))
        }
        switch profile {
        case .messaging:
            checks.append(optional(decoded.header["typ"], .typ, "optional (Salesforce's own tool omits it)"))
            checks.append(present(decoded.header["kid"], .kid, where: "header", hint: "Enhanced Messaging picks the keyset key by kid"))
            checks.append(present(claims["sub"], .sub, where: "payload", hint: "the employee's stable id"))
            checks.append(present(claims["iss"], .iss, where: "payload", hint: "must equal the keyset's JSON Web Key Issuer exactly"))
            checks.append(numericDate(claims["iat"], .iat, required: false))
            if claims["aud"] != nil { checks.append(.init(name: .aud, passed: nil, detail: "present; Salesforce's own tool sets none (whether it is checked is not documented)")) }
        case .bearer:
            checks.append(optional(decoded.header["kid"], .kid, "not needed: the connected app's certificate decides the key"))
            checks.append(present(claims["iss"], .iss, where: "payload", hint: "the connected app's consumer key"))
            checks.append(claims["sub"] != nil || claims["prn"] == nil ? present(claims["sub"], .sub, where: "payload", hint: "the integration user's username")
                          : present(claims["prn"], .sub, where: "payload", hint: "the username (legacy prn)"))
            checks.append(bearerAudience(claims["aud"]))
            if case .integer(let exp)? = claims["exp"], exp < 100_000_000_000 {
                let ahead = Double(exp) - now.timeIntervalSince1970
                if ahead > 180 + 5 {
                    checks.append(.init(name: .lifetime, passed: nil, detail: "expires in \(Int(ahead)) s; Salesforce documents at most 3 minutes (180 s)"))
                }
            }
        case .liveAssist:
            checks.append(optional(decoded.header["typ"], .typ, "optional"))
            if decoded.keyID != nil { checks.append(.init(name: .kid, passed: nil, detail: "present; Live Assist uses its one configured key (omit kid)")) }
            switch claims["sub"] {
            case .string(let guid)? where TokenProfile.isGUID(guid):
                checks.append(.init(name: .sub, passed: guid == guid.lowercased(), detail: guid == guid.lowercased() ? "\(guid) (a contact GUID)"
                    : "\(guid): write the GUID in lowercase, as the Dynamics Web API returns it"))
            case let other?: checks.append(.init(name: .sub, passed: false, detail: "\(other) is not a contact GUID (like 7d51925c-cde2-e411-80db-00155d2a68cb)"))
            case nil: checks.append(.init(name: .sub, passed: false, detail: "missing from the payload (the Dynamics contact's GUID)"))
            }
            checks.append(present(claims["iss"], .iss, where: "payload", hint: "must equal Live Assist's JWT Issuer exactly"))
            checks.append(present(claims["given_name"], .givenName, where: "payload", hint: "the contact's first name"))
            checks.append(present(claims["family_name"], .familyName, where: "payload", hint: "the contact's last name"))
            checks.append(numericDate(claims["iat"], .iat))
        case .generic:
            checks.append(optional(decoded.header["typ"], .typ, "optional"))
            checks.append(optional(decoded.header["kid"], .kid, "not every flow uses one"))
            checks.append(present(claims["sub"], .sub, where: "payload", hint: "the subject"))
            checks.append(present(claims["iss"], .iss, where: "payload", hint: "the issuer the receiver expects"))
        }
        return checks
    }

    /// A header field a profile does not require: shown when present, never failing.
    static func optional(_ value: JSONValue?, _ name: TokenCheck.Name, _ note: String) -> TokenCheck {
        switch value {
        case .string(let text)? where !text.isEmpty: .init(name: name, passed: true, detail: text)
        default: .init(name: name, passed: nil, detail: "absent: \(note)")
        }
    }

    /// `iat` as whole seconds (a note when absent and not `required`).
    static func numericDate(_ value: JSONValue?, _ name: TokenCheck.Name, required: Bool = true) -> TokenCheck {
        switch value {
        case nil where !required: .init(name: name, passed: nil, detail: "absent: Salesforce's own tool sets it; recommended")
        case .integer(let seconds)? where seconds < 100_000_000_000: .init(name: name, passed: true, detail: "\(seconds) = \(human(seconds))")
        case .integer(let seconds)?: .init(name: name, passed: false, detail: "\(seconds) looks like milliseconds; NumericDate is seconds")
        case nil: .init(name: name, passed: false, detail: "missing from the payload (issue time, integer seconds)")
        case let other?: .init(name: name, passed: false, detail: "\(other) is not an integer of seconds")
        }
    }

    /// The bearer `aud`: the org's audience, not a login URL.
    static func bearerAudience(_ value: JSONValue?) -> TokenCheck {
        guard let aud = value?.stringValue, !aud.isEmpty else {
            return .init(name: .aud, passed: false, detail: "missing: https://login.salesforce.com (production) or https://test.salesforce.com (sandbox)")
        }
        let trimmed = aud.hasSuffix("/") ? String(aud.dropLast()) : aud
        if ["https://login.salesforce.com", "https://test.salesforce.com"].contains(trimmed) { return .init(name: .aud, passed: true, detail: aud) }
        if URL(string: aud)?.host?.lowercased().hasSuffix(".my.salesforce.com") == true {
            return .init(name: .aud, passed: false, detail: "\(aud) is a My Domain login URL, not an audience: use https://login.salesforce.com "
                         + "(production) or https://test.salesforce.com (sandbox) — the assertion may still be posted to My Domain")
        }
        if aud.lowercased().hasPrefix("https://") {
            return .init(name: .aud, passed: nil, detail: "\(aud): accepted only as an Experience Cloud site's URL for its users")
        }
        return .init(name: .aud, passed: false, detail: "\(aud) is not an audience Salesforce accepts")
    }
}
