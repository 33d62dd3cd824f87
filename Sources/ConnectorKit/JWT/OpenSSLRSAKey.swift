import COpenSSL

/// An RSA private key parsed once by the system OpenSSL 3 libcrypto, signing with PKCS#1 v1.5.
///
/// OpenSSL 3 signs RSA-2048 about twice as fast as swift-crypto's BoringSSL on these machines
/// (see `swift-stack-notes.md`), and a parsed `EVP_PKEY` is safe to use from many threads at once.
final class OpenSSLRSAKey: @unchecked Sendable {
    private let pkey: OpaquePointer
    /// The modulus size in bits.
    let bits: Int

    /// Parses a PEM private key: PKCS#1 (traditional RSA) or PKCS#8.
    init(pem: [UInt8]) throws(JWTError) {
        let text = String(decoding: pem, as: UTF8.self)
        if text.contains("ENCRYPTED") { throw .encryptedKey }
        guard text.contains("-----BEGIN") else {
            throw .invalidKey("the private key is not PEM (expected a PKCS#8 or PKCS#1 PEM file, starting with a -----BEGIN … line)")
        }
        ERR_clear_error()
        let parsed: OpaquePointer? = pem.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            // An empty passphrase: an encrypted key fails instead of prompting on the terminal.
            return "".withCString { empty in
                PEM_read_bio_PrivateKey(bio, nil, nil, UnsafeMutableRawPointer(mutating: empty))
            }
        }
        ERR_clear_error()
        guard let parsed else { throw .invalidKey("the private key PEM could not be parsed (is it complete, and a private key rather than a certificate or public key?)") }
        guard EVP_PKEY_get_base_id(parsed) == switchboard_evp_pkey_rsa() else {
            EVP_PKEY_free(parsed)
            throw .invalidKey("the private key is not an RSA key; Salesforce and Live Assist need RSA (RS256)")
        }
        let bits = Int(EVP_PKEY_get_bits(parsed))
        guard bits >= JWTError.minimumKeyBits else {
            EVP_PKEY_free(parsed)
            throw .keyTooSmall(bits)
        }
        self.pkey = parsed
        self.bits = bits
    }

    deinit { EVP_PKEY_free(pkey) }

    /// Signs `message` (hashing it with the algorithm's digest).
    func sign(_ message: [UInt8], algorithm: JWTAlgorithm) throws(JWTError) -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw .signingFailed("out of memory") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, Digests.shared.digest(algorithm), nil, pkey) == 1 else {
            ERR_clear_error()
            throw .signingFailed("OpenSSL refused to initialise \(algorithm)")
        }
        var signature = [UInt8](repeating: 0, count: Int(EVP_PKEY_get_size(pkey)))
        var length = signature.count
        let status = message.withUnsafeBufferPointer { input in
            signature.withUnsafeMutableBufferPointer { output in
                EVP_DigestSign(ctx, output.baseAddress, &length, input.baseAddress, input.count)
            }
        }
        guard status == 1 else {
            ERR_clear_error()
            throw .signingFailed("OpenSSL could not sign")
        }
        return Array(signature.prefix(length))
    }

    /// The SHA-2 digests, fetched from the default provider once per process.
    final class Digests: @unchecked Sendable {
        static let shared = Digests()
        private let sha256: OpaquePointer
        private let sha384: OpaquePointer
        private let sha512: OpaquePointer

        private init() {
            sha256 = EVP_MD_fetch(nil, "SHA256", nil)
            sha384 = EVP_MD_fetch(nil, "SHA384", nil)
            sha512 = EVP_MD_fetch(nil, "SHA512", nil)
        }

        func digest(_ algorithm: JWTAlgorithm) -> OpaquePointer {
            switch algorithm {
            case .rs256: sha256
            case .rs384: sha384
            case .rs512: sha512
            }
        }
    }
}
