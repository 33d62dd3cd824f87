import Crypto
import Foundation
import X509
import _CryptoExtras

/// An RSA public key as its modulus and exponent (big-endian, no leading zeros). Verification goes
/// through swift-crypto — a code path independent of the OpenSSL signer.
public struct RSAPublicKey: Sendable, Hashable {
    /// The modulus.
    public let modulus: [UInt8]
    /// The public exponent.
    public let exponent: [UInt8]

    /// Creates a key from its numbers; leading zero bytes are dropped.
    public init(modulus: some Sequence<UInt8>, exponent: some Sequence<UInt8>) {
        self.modulus = Array(Array(modulus).drop { $0 == 0 })
        self.exponent = Array(Array(exponent).drop { $0 == 0 })
    }

    /// The key of an X.509 certificate.
    /// - Throws: ``JWTError`` when the certificate's key is not RSA.
    public init(certificate: Certificate) throws(JWTError) {
        guard let key = _RSA.Signing.PublicKey(certificate.publicKey), let numbers = try? key.getKeyPrimitives() else {
            throw .invalidCertificate("the certificate's public key is not RSA; Salesforce and Live Assist need RSA (RS256)")
        }
        self.init(modulus: numbers.modulus, exponent: numbers.publicExponent)
    }

    /// The public half of a PEM private key (PKCS#1 or PKCS#8).
    public init(privateKeyPEM: Secret) throws(JWTError) {
        guard let text = try? privateKeyPEM.revealedString(),
            let key = try? _RSA.Signing.PrivateKey(unsafePEMRepresentation: text),
            let numbers = try? key.publicKey.getKeyPrimitives()
        else { throw .invalidKey("the private key PEM could not be parsed as an RSA key") }
        self.init(modulus: numbers.modulus, exponent: numbers.publicExponent)
    }

    /// A `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo) PEM.
    public init(publicKeyPEM: String) throws(JWTError) {
        guard let key = try? _RSA.Signing.PublicKey(unsafePEMRepresentation: publicKeyPEM), let numbers = try? key.getKeyPrimitives() else {
            throw .invalidKey("the public key PEM could not be parsed as an RSA key")
        }
        self.init(modulus: numbers.modulus, exponent: numbers.publicExponent)
    }

    /// The modulus size in bits.
    public var bits: Int {
        guard let first = modulus.first else { return 0 }
        return (modulus.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }

    /// The key as `BEGIN PUBLIC KEY` PEM (SubjectPublicKeyInfo).
    public func pem() throws(JWTError) -> String {
        guard let key = try? _RSA.Signing.PublicKey(n: modulus, e: exponent) else { throw .keyTooSmall(bits) }
        return key.pemRepresentation
    }

    /// Whether `signature` is a valid PKCS#1 v1.5 signature of `message` under this key.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8], algorithm: JWTAlgorithm) -> Bool {
        guard let key = try? _RSA.Signing.PublicKey(n: modulus, e: exponent) else { return false }
        let rsaSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
        switch algorithm {
        case .rs256: return key.isValidSignature(rsaSignature, for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
        case .rs384: return key.isValidSignature(rsaSignature, for: SHA384.hash(data: message), padding: .insecurePKCS1v1_5)
        case .rs512: return key.isValidSignature(rsaSignature, for: SHA512.hash(data: message), padding: .insecurePKCS1v1_5)
        }
    }
}
