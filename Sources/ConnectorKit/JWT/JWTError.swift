/// Why a key could not be used or a token could not be made or read. Never contains key material
/// or a token's signature.
public struct JWTError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Code: Sendable, Hashable {
        case invalidKey
        case keyTooSmall
        case encryptedKey
        case signingFailed
        case malformedToken
        case unsupportedAlgorithm
        case invalidCertificate
        case invalidJWK
    }

    let code: Code
    /// What is wrong and what to do.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The smallest RSA key accepted, in bits.
    public static let minimumKeyBits = 2048

    static func invalidKey(_ why: String) -> Self { .init(.invalidKey, why) }
    static func keyTooSmall(_ bits: Int) -> Self {
        .init(.keyTooSmall, "the RSA key has \(bits) bits; at least \(minimumKeyBits) are required (Salesforce refuses smaller keys) — make a new one with `switchboard keys generate`")
    }
    static let encryptedKey = Self(.encryptedKey, "the private key is encrypted with a passphrase; store it unencrypted in the vault (`openssl pkey -in key.pem -out plain.pem`), which seals it itself")
    /// Signing failed (the OpenSSL call, or the host an external module asked).
    public static func signingFailed(_ why: String) -> Self { .init(.signingFailed, "signing failed: \(why)") }
    static func malformedToken(_ why: String) -> Self { .init(.malformedToken, why) }
    static func unsupportedAlgorithm(_ alg: String) -> Self {
        .init(.unsupportedAlgorithm, "algorithm '\(alg.prefix(20))' is not accepted; use RS256 (or RS384/RS512)")
    }
    static func invalidCertificate(_ why: String) -> Self { .init(.invalidCertificate, why) }
    static func invalidJWK(_ why: String) -> Self { .init(.invalidJWK, why) }

    /// Whether the key is below ``minimumKeyBits``.
    public var isKeyTooSmall: Bool { code == .keyTooSmall }
    /// Whether the token could not be parsed.
    public var isMalformedToken: Bool { code == .malformedToken }

    public var description: String { message }
}
