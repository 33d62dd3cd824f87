import Foundation

/// A compact JWS split into its parts, decoded but not yet trusted.
public struct DecodedJWT: Sendable, Hashable {
    /// The JOSE header.
    public var header: JSONValue
    /// The claims.
    public var claims: JSONValue
    /// `base64url(header).base64url(claims)`, the bytes that were signed.
    public var signingInput: [UInt8]
    /// The signature bytes.
    public var signature: [UInt8]

    /// The header's `alg`.
    public var algorithmName: String? { header["alg"]?.stringValue }
    /// The header's `kid`.
    public var keyID: String? { header["kid"]?.stringValue }
}

/// Reads and verifies RS256/RS384/RS512 compact JWS tokens against a JWK, a JWKS or a certificate
/// key. `alg: none` and HMAC algorithms are always rejected.
public enum JWTVerifier {
    /// Splits and decodes a token without checking anything but its form.
    public static func decode(_ token: String) throws(JWTError) -> DecodedJWT {
        let trimmed = token.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .malformedToken("a JWT has three base64url parts separated by '.', this has \(parts.count)")
        }
        guard let headerBytes = Base64URL.decode(parts[0]) else { throw .malformedToken("the header is not base64url") }
        guard let claimBytes = Base64URL.decode(parts[1]) else { throw .malformedToken("the payload is not base64url") }
        guard let signature = Base64URL.decode(parts[2]) else { throw .malformedToken("the signature is not base64url") }
        let header: JSONValue, claims: JSONValue
        do { header = try JSONParser.parse(headerBytes) } catch { throw .malformedToken("the header is not JSON: \(error)") }
        do { claims = try JSONParser.parse(claimBytes) } catch { throw .malformedToken("the payload is not JSON: \(error)") }
        guard case .object = header else { throw .malformedToken("the header is not a JSON object") }
        guard case .object = claims else { throw .malformedToken("the payload is not a JSON object") }
        return DecodedJWT(header: header, claims: claims, signingInput: Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8),
                          signature: signature)
    }

    /// The token's algorithm, if it is one this verifier accepts.
    public static func algorithm(of token: DecodedJWT) throws(JWTError) -> JWTAlgorithm {
        guard let name = token.algorithmName, let algorithm = JWTAlgorithm(rawValue: name) else {
            throw .unsupportedAlgorithm(token.algorithmName ?? "(missing)")
        }
        return algorithm
    }

    /// Whether the token's signature is valid under `key` (and its algorithm is accepted).
    public static func isSignatureValid(_ token: DecodedJWT, key: RSAPublicKey) -> Bool {
        guard let algorithm = try? algorithm(of: token) else { return false }
        return key.isValidSignature(token.signature, for: token.signingInput, algorithm: algorithm)
    }

    /// The key a JWKS offers for the token: the one with its `kid`, or the only key when neither names one.
    public static func key(for token: DecodedJWT, in set: JWKS) -> JWK? {
        if let kid = token.keyID { return set.key(id: kid) }
        return set.keys.count == 1 ? set.keys[0] : nil
    }
}
