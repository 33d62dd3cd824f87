import Crypto
import Foundation
import SwiftASN1
import X509
import _CryptoExtras

/// Self-signed sha256WithRSAEncryption certificates for signing keys: what Salesforce wants in a
/// connected app's upload and in a JWK's `x5c` when the admin brought only a private key.
public enum SelfSignedCertificate {
    /// A certificate for `key`, valid from a minute before `now` for `days`.
    public static func make(for key: _RSA.Signing.PrivateKey, name: DistinguishedName, days: Int, now: Date = Date()) throws -> Certificate {
        try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(Double(days) * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                SubjectKeyIdentifier(keyIdentifier: ArraySlice(Insecure.SHA1.hash(data: key.publicKey.pkcs1DERRepresentation)))
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
    }

    /// A certificate for a PEM private key (PKCS#1 or PKCS#8), named `CN=commonName`.
    public static func make(privateKeyPEM pem: Secret, commonName: String, days: Int = 3650, now: Date = Date()) throws -> Certificate {
        let key = try _RSA.Signing.PrivateKey(pemRepresentation: try pem.revealedString())
        return try make(for: key, name: try DistinguishedName { CommonName(commonName) }, days: days, now: now)
    }
}

extension JWK {
    /// The published JWK of a signing key: `n`/`e` and `x5c` from its certificate.
    public static func rsa(certificate: Certificate, keyID: String) throws -> JWK {
        try .rsa(try RSAPublicKey(certificate: certificate), keyID: keyID, certificate: certificate)
    }
}
