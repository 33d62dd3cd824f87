import ConnectorKit
import Foundation
import X509

/// Runs Salesforce's key troubleshooting checklist over a JWK, PEM certificate or PEM key file,
/// so an admin finds out here — not from a token silently refused — what is wrong and how to fix it.
public enum KeyChecker {
    /// Checks one file's contents. `privateKey` is the public half of `--private-key`, when given.
    public static func check(file: String, contents: Data, privateKey: RSAPublicKey? = nil, now: Date = Date()) -> KeyCheckReport {
        let text = String(decoding: contents, as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") {
            return checkJSON(file: file, text: trimmed, privateKey: privateKey, now: now)
        }
        if trimmed.contains("-----BEGIN CERTIFICATE-----") {
            return checkCertificatePEM(file: file, text: trimmed, privateKey: privateKey, now: now)
        }
        if trimmed.contains("PRIVATE KEY-----") || trimmed.contains("-----BEGIN PUBLIC KEY-----") {
            return checkKeyPEM(file: file, text: trimmed, privateKey: privateKey)
        }
        return KeyCheckReport(file: file, kind: "unknown", checks: [
            .fail(.readable, "it is neither JSON nor PEM", fix: "pass a .jwk.json file, a PEM certificate (BEGIN CERTIFICATE) or a PEM key"),
        ])
    }

    // MARK: JWK

    static func checkJSON(file: String, text: String, privateKey: RSAPublicKey?, now: Date) -> KeyCheckReport {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch {
            return KeyCheckReport(file: file, kind: "JSON", checks: [.fail(.readable, "\(error)", fix: "fix the JSON syntax")])
        }
        var checks: [KeyCheck] = [.pass(.readable, "JSON")]
        switch value {
        case .object where value["keys"] != nil:
            // A JWKS: what an Endpoint URL keyset serves — every key checked, kids unique.
            guard case .array(let keys)? = value["keys"], !keys.isEmpty else {
                checks.append(.fail(.jwks, "\"keys\" is not a non-empty array", fix: "serve {\"keys\":[JWK, …]} (switchboard run serves it at /.well-known/jwks.json)"))
                return KeyCheckReport(file: file, kind: "JWKS", checks: checks)
            }
            checks.append(.pass(.jwks, "\(keys.count) key\(keys.count == 1 ? "" : "s"), for an Endpoint URL keyset (a file upload takes one JWK per file)"))
            checks += checkEach(keys, profile: .endpoint, privateKey: privateKey, now: now)
            return KeyCheckReport(file: file, kind: "JWKS", checks: checks)
        case .array(let items):
            checks.append(.fail(.oneKeyPerFile, "a JSON array of \(items.count) JWK\(items.count == 1 ? "" : "s")",
                fix: "upload each key as its own file holding one JSON object, or serve them as {\"keys\":[…]} from an Endpoint URL keyset"))
            checks += checkEach(items, profile: .upload, privateKey: privateKey, now: now)
            return KeyCheckReport(file: file, kind: "JSON array", checks: checks)
        case .object(let members):
            checks.append(.pass(.oneKeyPerFile))
            checks += checkJWK(JWK(members: members), profile: .upload, privateKey: privateKey, now: now)
            return KeyCheckReport(file: file, kind: "JWK", checks: checks)
        default:
            checks.append(.fail(.readable, "the JSON is not an object", fix: "a JWK is a JSON object {\"kty\":\"RSA\",…}"))
            return KeyCheckReport(file: file, kind: "JSON", checks: checks)
        }
    }

    /// Which rules apply: Salesforce's upload rules for a JWK file, or those of a JWKS it fetches.
    enum Profile {
        /// One JWK uploaded to a keyset: `x5c` required (without it uploads may succeed but tokens fail).
        case upload
        /// A key of a JWKS served to an Endpoint URL keyset: `x5c` checked when present.
        case endpoint
    }

    /// Every key of a set, each check scoped to its key; kids unique across the set.
    static func checkEach(_ keys: [JSONValue], profile: Profile, privateKey: RSAPublicKey?, now: Date) -> [KeyCheck] {
        var checks: [KeyCheck] = []
        var seen: [String: Int] = [:]
        for (index, key) in keys.enumerated() {
            let scope = "key \(index + 1)" + (key["kid"]?.stringValue.map { " (kid \($0))" } ?? "")
            guard case .object(let members) = key else {
                checks.append(KeyCheck.fail(.readable, "not a JSON object", fix: "each key is a JWK object").scoped(scope))
                continue
            }
            // --private-key is compared with the key it belongs to; any key matches is enough (below).
            checks += checkJWK(JWK(members: members), profile: profile, privateKey: nil, now: now).map { $0.scoped(scope) }
            if let kid = key["kid"]?.stringValue, !kid.isEmpty {
                if let first = seen[kid] {
                    checks.append(KeyCheck.fail(.uniqueKid, "key \(first + 1) has the same kid",
                        fix: "give every key its own kid: the token's kid header picks the key").scoped(scope))
                } else {
                    seen[kid] = index
                }
            }
        }
        if seen.count == keys.count { checks.append(.pass(.uniqueKid, "\(keys.count) distinct")) }
        if let privateKey {
            let publics = keys.compactMap { key -> RSAPublicKey? in key.members.flatMap { try? JWK(members: $0).publicKey() } }
            checks.append(publics.contains(privateKey) ? .pass(.privateKeyMatches, "one of the keys")
                : .fail(.privateKeyMatches, "the private key belongs to none of the \(keys.count) keys",
                        fix: "publish the JWK made from this key's certificate (`switchboard keys jwk --cert CERT.pem --kid KID`), or sign with a key that is published"))
        }
        return checks
    }

    /// Members that only a private key has (RSA d, p, q, dp, dq, qi, oth; EC d; a symmetric k).
    static let privateMemberNames = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]

    /// The private members a JWK carries, or nil when it has none.
    static func privateMembers(_ jwk: JWK) -> [String]? {
        let present = jwk.members.map(\.name).filter { privateMemberNames.contains($0) }
        return present.isEmpty ? nil : present
    }

    static func leak(_ members: [String], which: String) -> KeyCheck {
        .fail(.publicOnly, "\(which) is a PRIVATE key (it has \(members.joined(separator: ", "))) — do NOT upload it: whoever sees it can sign "
              + "tokens as you",
              fix: "upload the public JWK only (`switchboard keys jwk --cert CERT.pem --kid KID` writes it from the certificate); if this file "
              + "was shared or uploaded, treat the key as compromised: `switchboard keys generate` a new one and rotate")
    }

    static func checkJWK(_ jwk: JWK, profile: Profile = .upload, privateKey: RSAPublicKey?, now: Date) -> [KeyCheck] {
        var checks: [KeyCheck] = []
        if let leaked = privateMembers(jwk) { checks.append(leak(leaked, which: "this JWK")) } else { checks.append(.pass(.publicOnly)) }
        let regenerate = "regenerate it with `switchboard keys jwk --cert CERT.pem --kid KID`"
        checks.append(jwk.keyType == "RSA" ? .pass(.kty)
            : .fail(.kty, jwk.keyType.map { "kty is \"\($0)\"" } ?? "kty is missing", fix: "Salesforce needs an RSA key: \"kty\":\"RSA\"; \(regenerate)"))
        checks.append((jwk.keyID?.isEmpty == false) ? .pass(.kid, jwk.keyID!)
            : .fail(.kid, "kid is missing or empty", fix: "add \"kid\"; it must equal the kid header of every token (`--kid` of `keys jwk`)"))
        checks.append(jwk.algorithm == "RS256" ? .pass(.alg)
            : .fail(.alg, jwk.algorithm.map { "alg is \"\($0)\"" } ?? "alg is missing", fix: "set \"alg\":\"RS256\"; \(regenerate)"))
        checks.append(jwk.string("use") == "sig" ? .pass(.use)
            : .fail(.use, jwk.string("use").map { "use is \"\($0)\"" } ?? "use is missing", fix: "set \"use\":\"sig\" (the key signs user-verification tokens)"))

        // n and e
        var jwkKey: RSAPublicKey?
        if let n = jwk.string("n"), let e = jwk.string("e") {
            let bad = (n + e).filter { "+/=".contains($0) }
            if let c = bad.first {
                checks.append(.fail(.base64url, "found '\(c)', which base64url does not use", fix: "n and e are base64url (- and _ instead of + and /) without '=' padding; \(regenerate)"))
            } else if let key = try? jwk.publicKey() {
                checks.append(.pass(.base64url))
                jwkKey = key
            } else {
                checks.append(.fail(.base64url, "n or e does not decode", fix: regenerate))
            }
        } else {
            checks.append(.fail(.base64url, "n or e is missing", fix: regenerate))
        }
        if let jwkKey {
            checks.append(keySize(jwkKey.bits))
        }

        // x5c and its certificate
        var certificate: Certificate?
        if let chain = jwk.certificateChain, let first = chain.first {
            checks.append(.pass(.x5c))
            if first.contains("-") || first.contains("_") {
                checks.append(.fail(.x5cCertificate, "x5c[0] uses base64url characters ('-' or '_')",
                    fix: "x5c holds standard base64 (with + and /) of the DER certificate, not base64url; \(regenerate)"))
            } else if let der = Data(base64Encoded: first), let parsed = try? Certificate(derEncoded: Array(der)) {
                checks.append(.pass(.x5cCertificate, "subject \(parsed.subject)"))
                certificate = parsed
            } else if let der = Data(base64Encoded: first), let key = CertificateKeyProbe.rsaPublicKey(certificateDER: Array(der)),
                key.bits < JWTError.minimumKeyBits
            {
                checks.append(.pass(.x5cCertificate, "a certificate for an RSA-\(key.bits) key"))
                if jwkKey == nil || jwkKey!.bits >= JWTError.minimumKeyBits { checks.append(keySize(key.bits)) }
            } else {
                checks.append(.fail(.x5cCertificate, "x5c[0] is not base64 of a parseable X.509 certificate",
                    fix: "put the certificate's DER, base64-encoded, without PEM header lines or line breaks; \(regenerate)"))
            }
        } else if profile == .endpoint {
            checks.append(.pass(.x5c, "absent: optional in a JWKS (n and e carry the key)"))
        } else {
            checks.append(.fail(.x5c, "x5c is missing or empty",
                fix: "add \"x5c\":[\"<base64 DER certificate>\"]; without it uploads may succeed but tokens silently fail. \(regenerate)"))
        }
        if let certificate {
            checks += validity(certificate, now: now)
            if let certificateKey = try? RSAPublicKey(certificate: certificate), let jwkKey {
                checks.append(certificateKey == jwkKey ? .pass(.keyMatchesCertificate)
                    : .fail(.keyMatchesCertificate, "n/e belong to a different key than the x5c certificate",
                            fix: "the JWK mixes two keys; \(regenerate) from the certificate that belongs to the signing key"))
            }
        }
        if let privateKey {
            let target = jwkKey ?? certificate.flatMap { try? RSAPublicKey(certificate: $0) }
            checks.append(privateKeyMatch(privateKey, target, against: "the JWK"))
        }
        return checks
    }

    // MARK: PEM

    static func checkCertificatePEM(file: String, text: String, privateKey: RSAPublicKey?, now: Date) -> KeyCheckReport {
        let blocks = text.components(separatedBy: "-----BEGIN CERTIFICATE-----").count - 1
        guard blocks == 1 else {
            return KeyCheckReport(file: file, kind: "certificate", checks: [
                .fail(.pemCertificate, "the file holds \(blocks) certificates", fix: "keep only the signing key's certificate in the file"),
            ])
        }
        guard let certificate = try? Certificate(pemEncoded: text) else {
            if let der = CertificateKeyProbe.firstCertificateDER(pem: text), let key = CertificateKeyProbe.rsaPublicKey(certificateDER: der),
                key.bits < JWTError.minimumKeyBits
            {
                return KeyCheckReport(file: file, kind: "certificate", checks: [.pass(.pemCertificate), keySize(key.bits)])
            }
            return KeyCheckReport(file: file, kind: "certificate", checks: [
                .fail(.pemCertificate, "the PEM does not parse as an X.509 certificate (damaged base64, missing END line, or extra text)",
                      fix: "export the certificate again, e.g. `openssl x509 -in cert.pem -out clean.pem`"),
            ])
        }
        var checks: [KeyCheck] = [.pass(.pemCertificate, "subject \(certificate.subject)")]
        guard let key = try? RSAPublicKey(certificate: certificate) else {
            checks.append(.fail(.kty, "the certificate's key is not RSA", fix: "make an RSA certificate: `switchboard keys generate`"))
            return KeyCheckReport(file: file, kind: "certificate", checks: checks)
        }
        checks.append(keySize(key.bits))
        checks += validity(certificate, now: now)
        if let privateKey { checks.append(privateKeyMatch(privateKey, key, against: "the certificate")) }
        return KeyCheckReport(file: file, kind: "certificate", checks: checks)
    }

    static func checkKeyPEM(file: String, text: String, privateKey: RSAPublicKey?) -> KeyCheckReport {
        if text.contains("ENCRYPTED") {
            return KeyCheckReport(file: file, kind: "private key", checks: [
                .fail(.readable, "the key is encrypted with a passphrase", fix: "decrypt it (`openssl pkey -in key.pem -out plain.pem`) and store it in the vault"),
            ])
        }
        let isPrivate = text.contains("PRIVATE KEY-----")
        let key: RSAPublicKey?
        if isPrivate { key = try? RSAPublicKey(privateKeyPEM: Secret(text)) } else { key = try? RSAPublicKey(publicKeyPEM: text) }
        guard let key else {
            return KeyCheckReport(file: file, kind: isPrivate ? "private key" : "public key", checks: [
                .fail(.readable, "the PEM does not parse as an RSA key", fix: "check that the file is complete and holds an RSA key"),
            ])
        }
        var checks: [KeyCheck] = [.pass(.readable, isPrivate ? "RSA private key" : "RSA public key"), keySize(key.bits)]
        if let privateKey, isPrivate == false { checks.append(privateKeyMatch(privateKey, key, against: "the public key")) }
        return KeyCheckReport(file: file, kind: isPrivate ? "private key" : "public key", checks: checks)
    }

    // MARK: Shared rules

    static func keySize(_ bits: Int) -> KeyCheck {
        bits >= JWTError.minimumKeyBits ? .pass(.keySize, "\(bits) bits")
            : .fail(.keySize, "the key has \(bits) bits", fix: "Salesforce needs RSA ≥ 2048 bits: `switchboard keys generate --bits 2048`")
    }

    static func validity(_ certificate: Certificate, now: Date) -> [KeyCheck] {
        let until = certificate.notValidAfter
        let formatter = Date.ISO8601FormatStyle()
        var checks: [KeyCheck] = []
        if now < certificate.notValidBefore {
            checks.append(.fail(.validNow, "not valid before \(certificate.notValidBefore.formatted(formatter))", fix: "check the clock, or make a certificate valid from today"))
        } else if now > until {
            checks.append(.fail(.validNow, "expired on \(until.formatted(formatter))", fix: "make a new certificate (`switchboard keys generate --days 36500`) and upload its JWK"))
        } else {
            checks.append(.pass(.validNow, "until \(until.formatted(formatter))"))
        }
        let days = Int(until.timeIntervalSince(now) / 86_400)
        checks.append(until.timeIntervalSince(now) >= 10 * 86_400 ? .pass(.validTenDays, "\(days) days left")
            : .fail(.validTenDays, "only \(max(days, 0)) days left; Salesforce requires at least 10",
                    fix: "make a certificate with a long validity (`switchboard keys generate --days 36500`) and upload its JWK"))
        return checks
    }

    static func privateKeyMatch(_ privateKey: RSAPublicKey, _ key: RSAPublicKey?, against what: String) -> KeyCheck {
        guard let key else { return .fail(.privateKeyMatches, "\(what) has no readable public key to compare", fix: "fix the rules above first") }
        return privateKey == key ? .pass(.privateKeyMatches)
            : .fail(.privateKeyMatches, "the private key does not belong to \(what)",
                    fix: "tokens signed with this key will be rejected; upload the JWK made from this key's certificate, or use the matching key")
    }
}

extension KeyChecker {
    // MARK: A live endpoint, and the connectors that sign with its keys

    /// Checks what a JWKS endpoint answered (`--url`): public HTTPS, 200 with JSON, then the JWKS rules.
    public static func checkEndpoint(url: String, status: Int, contentType: String?, body: [UInt8], privateKey: RSAPublicKey? = nil,
                                     now: Date = Date()) -> KeyCheckReport {
        var checks: [KeyCheck] = []
        let host = URL(string: url)?.host?.lowercased() ?? ""
        let local = host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]" || host.hasSuffix(".local")
        if !url.lowercased().hasPrefix("https://") {
            checks.append(.fail(.endpointHTTPS, "\(url) is not HTTPS",
                fix: "serve it over HTTPS at a public name: put `switchboard run`'s JWKS listener (host.jwks_listen) behind a TLS reverse proxy"))
        } else if local {
            checks.append(.fail(.endpointHTTPS, "\(host) is not reachable from Salesforce", fix: "use the public name of the TLS reverse proxy in front of the JWKS listener"))
        } else {
            checks.append(.pass(.endpointHTTPS))
        }
        let json = contentType?.lowercased().contains("json") ?? false
        guard status == 200, json else {
            checks.append(.fail(.endpointAnswers, "HTTP \(status)" + (contentType.map { ", Content-Type \($0)" } ?? ""),
                fix: "the URL must answer 200 application/json with {\"keys\":[…]} without authentication"))
            return KeyCheckReport(file: url, kind: "JWKS endpoint", checks: checks)
        }
        checks.append(.pass(.endpointAnswers, "HTTP 200, \(contentType ?? "")"))
        let report = check(file: url, contents: Data(body), privateKey: privateKey, now: now)
        guard report.kind == "JWKS" else {
            checks.append(.fail(.jwks, "the endpoint serves a \(report.kind), not {\"keys\":[…]}", fix: "an Endpoint URL keyset fetches a JWKS"))
            return KeyCheckReport(file: url, kind: "JWKS endpoint", checks: checks)
        }
        return KeyCheckReport(file: url, kind: "JWKS endpoint", checks: checks + report.checks)
    }

    /// A connector's signing flow whose tokens carry a `kid` (a module's token flow, as `jwt mint` sees it).
    public struct SigningConnector: Sendable {
        /// The connector and flow (`acme-salesforce live-agent`).
        public var name: String
        /// The `kid` its tokens carry.
        public var keyID: String
        /// The `iss` its tokens carry.
        public var issuer: String?
        /// The public half of its signing key, when it could be read.
        public var publicKey: RSAPublicKey?
        /// Why the key could not be read.
        public var keyProblem: String?

        /// Creates one.
        public init(name: String, keyID: String, issuer: String?, publicKey: RSAPublicKey?, keyProblem: String? = nil) {
            self.name = name
            self.keyID = keyID
            self.issuer = issuer
            self.publicKey = publicKey
            self.keyProblem = keyProblem
        }
    }

    /// `--config`: each connector's `kid` is among the keys checked, its key is that key, and the
    /// issuer it signs with is what the keyset must name.
    public static func compare(_ connectors: [SigningConnector], publishedIn contents: [Data]) -> KeyCheckReport {
        var published: [String: RSAPublicKey?] = [:]
        for data in contents {
            guard let value = try? JSONParser.parse(Array(data)) else { continue }
            let keys: [JSONValue] = switch value {
            case .array(let items): items
            case .object where value["keys"] != nil: value["keys"]?.arrayValue ?? []
            default: [value]
            }
            for key in keys {
                guard let members = key.members, let kid = key["kid"]?.stringValue else { continue }
                published[kid] = try? JWK(members: members).publicKey()
            }
        }
        var checks: [KeyCheck] = []
        for connector in connectors {
            guard let match = published[connector.keyID] else {
                checks.append(KeyCheck.fail(.configKid, "kid \(connector.keyID) is not among \(published.keys.sorted().joined(separator: ", "))",
                    fix: "publish the JWK of this connector's key under kid \(connector.keyID), or set its key_id to the published kid").scoped(connector.name))
                continue
            }
            checks.append(KeyCheck.pass(.configKid, connector.keyID).scoped(connector.name))
            if let problem = connector.keyProblem {
                checks.append(KeyCheck.fail(.configKeyMatches, problem, fix: "make the connector's private_key readable (switchboard validate)").scoped(connector.name))
            } else if let key = connector.publicKey, let match {
                checks.append((key == match ? KeyCheck.pass(.configKeyMatches)
                    : .fail(.configKeyMatches, "the key published as \(connector.keyID) is not the connector's private_key",
                            fix: "publish the JWK made from the connector key's certificate, or point private_key at the key that was published")).scoped(connector.name))
            }
            if let issuer = connector.issuer {
                let trimmed = issuer.trimmingCharacters(in: .whitespaces)
                checks.append((trimmed == issuer && !issuer.isEmpty
                    ? KeyCheck.pass(.configIssuer, "the keyset's JSON Web Key Issuer must be exactly \(issuer)")
                    : .fail(.configIssuer, "'\(issuer)' has leading or trailing spaces", fix: "the issuer is compared exactly: remove the spaces")).scoped(connector.name))
            }
        }
        if connectors.isEmpty {
            checks.append(.fail(.configKid, "no connector of the configuration signs tokens with a kid", fix: "pass the connectors.yaml whose live-agent sections use these keys"))
        }
        return KeyCheckReport(file: "connectors", kind: "compared with the configuration", checks: checks)
    }
}
