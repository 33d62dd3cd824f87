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
        let members: [JSONMember]
        switch value {
        case .object(let object) where JSONValue.object(object)["keys"] != nil:
            guard case .array(let keys)? = value["keys"], case .object(let first)? = keys.first else {
                checks.append(.fail(.oneKeyPerFile, "a JWKS with no key in it", fix: "upload a single JWK made by `switchboard keys generate`"))
                return KeyCheckReport(file: file, kind: "JWKS", checks: checks)
            }
            checks.append(.fail(.oneKeyPerFile, "this is a JWKS with \(keys.count) key\(keys.count == 1 ? "" : "s"); the rules below check the first",
                fix: "upload one key per file (the .jwk.json that `switchboard keys generate` writes); a JWKS is for the Endpoint URL keyset type"))
            members = first
        case .array(let items):
            guard case .object(let first)? = items.first else {
                checks.append(.fail(.oneKeyPerFile, "a JSON array with no JWK in it", fix: "upload a single JWK object"))
                return KeyCheckReport(file: file, kind: "JSON array", checks: checks)
            }
            checks.append(.fail(.oneKeyPerFile, "this is an array of \(items.count) JWKs; the rules below check the first",
                fix: "upload each key as its own file containing one JSON object"))
            members = first
        case .object(let object):
            checks.append(.pass(.oneKeyPerFile))
            members = object
        default:
            checks.append(.fail(.readable, "the JSON is not an object", fix: "a JWK is a JSON object {\"kty\":\"RSA\",…}"))
            return KeyCheckReport(file: file, kind: "JSON", checks: checks)
        }
        checks += checkJWK(JWK(members: members), privateKey: privateKey, now: now)
        // Any other key of a JWKS or array with private members fails the file too.
        let others: [JSONValue] = switch value {
        case .array(let items): Array(items.dropFirst())
        case .object where value["keys"] != nil: if case .array(let keys)? = value["keys"] { Array(keys.dropFirst()) } else { [] }
        default: []
        }
        for (index, other) in others.enumerated() {
            guard case .object(let otherMembers) = other, let leaked = privateMembers(JWK(members: otherMembers)) else { continue }
            checks.insert(leak(leaked, which: "key \(index + 2) of this file"), at: 1)
        }
        return KeyCheckReport(file: file, kind: checks.contains { $0.rule == .oneKeyPerFile && !$0.passed } ? "JWKS" : "JWK", checks: checks)
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

    static func checkJWK(_ jwk: JWK, privateKey: RSAPublicKey?, now: Date) -> [KeyCheck] {
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
