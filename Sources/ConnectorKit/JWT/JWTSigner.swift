import Foundation
import Synchronization

/// The host's shared JWT signer: RS256/RS384/RS512 compact JWS over RSA private keys from the
/// vault, signed by the system OpenSSL. Keys are parsed once per reference and kept.
///
/// The header is `{"alg":…,"typ":"JWT"}` plus `"kid"` when given, in that order; claims keep
/// their order. Handed to modules through ``ConnectorContext/signer``.
public final class JWTSigner: Sendable {
    /// The clock claim sets are built with.
    public let clock: ConnectorClock
    private let vault: CredentialVault?
    private let keys = Mutex<[SecretReference: JWTSigningKey]>([:])
    /// Signs with a key held elsewhere (an external module's host), when set.
    private let remote: JWTSigningKey.RemoteSign?

    /// A signer whose keys another process holds: ``signingKey(_:)`` returns a handle, and each
    /// signature is made there (an external module asks its host). The private key never comes here.
    public init(remote: @escaping JWTSigningKey.RemoteSign, clock: ConnectorClock = .system) {
        self.vault = nil
        self.clock = clock
        self.remote = remote
    }

    /// Creates a signer. `vault` resolves `SecretReference`s for ``signingKey(_:)``.
    public init(vault: CredentialVault?, clock: ConnectorClock = .system) {
        self.vault = vault
        self.clock = clock
        self.remote = nil
    }

    /// The key behind a reference, parsed on first use and cached.
    public func signingKey(_ reference: SecretReference) throws -> JWTSigningKey {
        if let remote { return JWTSigningKey(remote: reference, sign: remote) }
        if let key = keys.withLock({ $0[reference] }) { return key }
        guard let vault else { throw JWTError.invalidKey("no vault to resolve \(reference)") }
        let key = try JWTSigningKey(pem: vault.resolve(reference))
        keys.withLock { $0[reference] = key }
        return key
    }

    /// Forgets a cached key (after rotation in the vault).
    public func forgetKey(_ reference: SecretReference) { _ = keys.withLock { $0.removeValue(forKey: reference) } }

    /// Forgets every cached key (a configuration reload: a key rewritten under the same reference
    /// is read again at its next use).
    public func forgetAllKeys() { keys.withLock { $0.removeAll() } }

    /// Signs a claim set into a compact JWS.
    public func sign(_ claims: JWTClaims, with key: JWTSigningKey, algorithm: JWTAlgorithm = .rs256, keyID: String? = nil) throws(JWTError) -> String {
        var header: [JSONMember] = [JSONMember("alg", .string(algorithm.rawValue)), JSONMember("typ", .string("JWT"))]
        if let keyID { header.append(JSONMember("kid", .string(keyID))) }
        return try Self.sign(header: .object(header), claims: claims.json, key: key, algorithm: algorithm)
    }

    /// Signs arbitrary header and payload JSON exactly as given (for test vectors and tools).
    public static func sign(header: JSONValue, claims: JSONValue, key: JWTSigningKey, algorithm: JWTAlgorithm) throws(JWTError) -> String {
        let input = Base64URL.encode(header.serialized()) + "." + Base64URL.encode(claims.serialized())
        return input + "." + Base64URL.encode(try key.sign(Array(input.utf8), algorithm: algorithm))
    }
}

/// An RSA private key (≥ 2048 bits) ready to sign. Never printed: its description is redacted.
public struct JWTSigningKey: Sendable, CustomStringConvertible {
    /// Signs a JWS signing input with the key a reference names, somewhere else.
    public typealias RemoteSign = @Sendable (_ key: SecretReference, _ input: [UInt8], _ algorithm: JWTAlgorithm) throws(JWTError) -> [UInt8]

    private enum Storage: Sendable {
        case local(OpenSSLRSAKey)
        case remote(SecretReference, RemoteSign)
    }

    private let storage: Storage

    /// Parses a PEM private key, PKCS#1 or PKCS#8. Keys under 2048 bits and encrypted keys are refused.
    public init(pem: Secret) throws(JWTError) {
        storage = .local(try OpenSSLRSAKey(pem: pem.withRevealedBytes { $0 }))
    }

    init(remote reference: SecretReference, sign: @escaping RemoteSign) { storage = .remote(reference, sign) }

    /// The modulus size in bits (0 for a key held by another process).
    public var bits: Int {
        switch storage {
        case .local(let key): key.bits
        case .remote: 0
        }
    }

    /// Signs raw bytes (the JWS signing input) with PKCS#1 v1.5.
    public func sign(_ message: [UInt8], algorithm: JWTAlgorithm = .rs256) throws(JWTError) -> [UInt8] {
        switch storage {
        case .local(let key): try key.sign(message, algorithm: algorithm)
        case .remote(let reference, let sign): try sign(reference, message, algorithm)
        }
    }

    public var description: String {
        switch storage {
        case .local: "JWTSigningKey(RSA-\(bits), <redacted>)"
        case .remote(let reference, _): "JWTSigningKey(held by the host: \(reference))"
        }
    }
}
