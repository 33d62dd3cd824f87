import ConnectorKit
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// Everything an admin uploads or stores for one signing key.
public struct GeneratedKey: Sendable {
    /// The private key, as PKCS#8 PEM.
    public var privateKeyPEM: Secret
    /// The self-signed certificate.
    public var certificate: Certificate
    /// The certificate as PEM.
    public var certificatePEM: String
    /// The JWK for Salesforce's "JSON Web Key" upload (one key per file, with x5c).
    public var jwk: JWK
    /// A JWKS with that key, for endpoint mode.
    public var jwks: JWKS
}

/// Makes RSA signing keys and self-signed certificates that Salesforce accepts
/// (sha256WithRSAEncryption, ≥ 2048 bits, long validity).
public enum KeyGenerator {
    /// Makes a key, a self-signed certificate valid from a minute ago for `days`, and its JWK.
    public static func generate(bits: Int, keyID: String, subject: String, days: Int, now: Date = Date()) throws -> GeneratedKey {
        let size: _RSA.Signing.KeySize
        switch bits {
        case 2048: size = .bits2048
        case 3072: size = .bits3072
        case 4096: size = .bits4096
        default: throw KeyToolError("--bits must be 2048, 3072 or 4096")
        }
        guard days >= 1 else { throw KeyToolError("--days must be at least 1") }
        let key = try _RSA.Signing.PrivateKey(keySize: size)
        let certificate = try selfSignedCertificate(for: key, subject: subject, days: days, now: now)
        let publicKey = try RSAPublicKey(certificate: certificate)
        let jwk = try JWK.rsa(publicKey, keyID: keyID, certificate: certificate)
        return GeneratedKey(
            privateKeyPEM: Secret(key.pkcs8PEMRepresentation), certificate: certificate,
            certificatePEM: try certificate.serializeAsPEM().pemString + "\n", jwk: jwk, jwks: JWKS(keys: [jwk]))
    }
}

extension KeyGenerator {
    /// A self-signed certificate (PEM) for an existing PKCS#1 or PKCS#8 private key: what an admin
    /// uploads to a connected app when the key was made elsewhere.
    public static func certificatePEM(forPrivateKey pem: Secret, subject: String = "CN=Switchboard", days: Int = 3650,
                                      now: Date = Date()) throws -> String {
        let key = try _RSA.Signing.PrivateKey(pemRepresentation: try pem.revealedString())
        return try selfSignedCertificate(for: key, subject: subject, days: days, now: now).serializeAsPEM().pemString + "\n"
    }

    /// A self-signed sha256WithRSAEncryption certificate, valid from a minute ago for `days`.
    static func selfSignedCertificate(for key: _RSA.Signing.PrivateKey, subject: String, days: Int, now: Date) throws -> Certificate {
        try SelfSignedCertificate.make(for: key, name: try DistinguishedNameParser.parse(subject), days: days, now: now)
    }
}

/// Reads `CN=Switchboard, O=Acme` or `/CN=Switchboard/O=Acme` into a distinguished name.
enum DistinguishedNameParser {
    static func parse(_ text: String) throws -> DistinguishedName {
        let separators: Set<Character> = text.hasPrefix("/") ? ["/"] : [","]
        let parts = text.split(whereSeparator: { separators.contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { throw KeyToolError("--subject is empty; write it like \"CN=Switchboard, O=Acme\"") }
        var attributes: [RelativeDistinguishedName] = []
        for part in parts {
            guard let equals = part.firstIndex(of: "=") else { throw KeyToolError("--subject part '\(part)' needs the form KEY=value") }
            let key = part[..<equals].uppercased(), value = String(part[part.index(after: equals)...])
            let attribute: RelativeDistinguishedName.Attribute
            switch key {
            case "CN": attribute = .init(type: .RDNAttributeType.commonName, utf8String: value)
            case "O": attribute = .init(type: .RDNAttributeType.organizationName, utf8String: value)
            case "OU": attribute = .init(type: .RDNAttributeType.organizationalUnitName, utf8String: value)
            case "C": attribute = try .init(type: .RDNAttributeType.countryName, printableString: value)
            case "ST": attribute = .init(type: .RDNAttributeType.stateOrProvinceName, utf8String: value)
            case "L": attribute = .init(type: .RDNAttributeType.localityName, utf8String: value)
            default: throw KeyToolError("--subject attribute '\(key)' is not supported; use CN, O, OU, C, ST or L")
            }
            attributes.append(RelativeDistinguishedName(attribute))
        }
        return DistinguishedName(attributes)
    }
}

/// A key-tool usage problem, said plainly.
public struct KeyToolError: Error, Sendable, CustomStringConvertible {
    /// What is wrong and what to do.
    public let description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
