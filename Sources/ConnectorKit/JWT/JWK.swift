import Foundation
import SwiftASN1
import X509

/// A JSON Web Key (RFC 7517) as Salesforce's keyset upload wants it: `kty`, `kid`, `alg`, `use`,
/// `n`, `e` and `x5c`. Members are kept as written (in order, unknown ones included) so
/// `keys check` can judge a file exactly as it is.
public struct JWK: Sendable, Hashable {
    /// The members, in order.
    public var members: [JSONMember]

    /// Wraps parsed members.
    public init(members: [JSONMember]) { self.members = members }

    /// A member's string value.
    public func string(_ name: String) -> String? { JSONValue.object(members)[name]?.stringValue }

    /// `kty`.
    public var keyType: String? { string("kty") }
    /// `kid`.
    public var keyID: String? { string("kid") }
    /// `alg`.
    public var algorithm: String? { string("alg") }
    /// `x5c`: standard base64 DER certificates.
    public var certificateChain: [String]? {
        guard case .array(let items)? = JSONValue.object(members)["x5c"] else { return nil }
        return items.compactMap(\.stringValue)
    }

    /// The public key from `n` and `e`.
    /// - Throws: ``JWTError`` when they are missing or not base64url.
    public func publicKey() throws(JWTError) -> RSAPublicKey {
        guard let n = string("n"), let e = string("e") else { throw .invalidJWK("the JWK has no 'n' and 'e'") }
        guard let modulus = Base64URL.decode(n), let exponent = Base64URL.decode(e) else {
            throw .invalidJWK("'n' and 'e' must be base64url without padding")
        }
        return RSAPublicKey(modulus: modulus, exponent: exponent)
    }

    /// The JWK Salesforce's "JSON Web Key" upload accepts for a signing key: `kty RSA`, `kid`,
    /// `alg RS256`, `use sig`, `n`, `e` (base64url, no padding) and `x5c` with the certificate.
    public static func rsa(_ key: RSAPublicKey, keyID: String, certificate: Certificate?) throws -> JWK {
        var members = [
            JSONMember("kty", .string("RSA")), JSONMember("kid", .string(keyID)), JSONMember("alg", .string("RS256")),
            JSONMember("use", .string("sig")), JSONMember("n", .string(Base64URL.encode(key.modulus))),
            JSONMember("e", .string(Base64URL.encode(key.exponent))),
        ]
        if let certificate {
            members.append(JSONMember("x5c", .array([.string(Data(try certificate.derBytes()).base64EncodedString())])))
        }
        return JWK(members: members)
    }

    /// The JWK as JSON.
    public var json: JSONValue { .object(members) }
}

/// A JWK Set (`{"keys":[…]}`), as served at `/.well-known/jwks.json`.
public struct JWKS: Sendable, Hashable {
    /// The keys.
    public var keys: [JWK]

    /// Creates a set.
    public init(keys: [JWK]) { self.keys = keys }

    /// The set as JSON.
    public var json: JSONValue { .object([JSONMember("keys", .array(keys.map(\.json)))]) }

    /// The key with a `kid`.
    public func key(id: String) -> JWK? { keys.first { $0.keyID == id } }
}

extension Certificate {
    /// The certificate's DER encoding.
    public func derBytes() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(self)
        return serializer.serializedBytes
    }
}
