import ConnectorKit
import Foundation
import Synchronization
import X509

/// The public keys of a `live-agent` section, for the host's `/.well-known/jwks.json`: the signing
/// key (`key_id`, with `certificate` — or a self-signed certificate made once from the private key)
/// and each of `next_keys`, so a new key is published before it signs.
final class LiveAgentKeys: Sendable {
    let settings: LiveAgentSettings
    let vault: CredentialVault
    private let cached = Mutex<[JWK]?>(nil)

    init(settings: LiveAgentSettings, vault: CredentialVault) {
        self.settings = settings
        self.vault = vault
    }

    /// The JWKs, built on first use.
    func jwks() throws -> [JWK] {
        if let keys = cached.withLock({ $0 }) { return keys }
        var keys: [JWK] = []
        let signing: Certificate
        if let reference = settings.certificate {
            signing = try certificate(reference, field: "live-agent.certificate")
        } else {
            signing = try SelfSignedCertificate.make(privateKeyPEM: try vault.resolve(settings.privateKey), commonName: settings.keyID)
        }
        keys.append(try JWK.rsa(certificate: signing, keyID: settings.keyID))
        for next in settings.publishedKeys where next.keyID != settings.keyID {
            keys.append(try JWK.rsa(certificate: try certificate(next.certificate, field: "live-agent.next_keys"), keyID: next.keyID))
        }
        cached.withLock { $0 = keys }
        return keys
    }

    private func certificate(_ reference: SecretReference, field: String) throws -> Certificate {
        do {
            return try Certificate(pemEncoded: try vault.resolve(reference).revealedString())
        } catch {
            throw ConnectorError.misconfigured("\(field) (\(reference)) is not a PEM X.509 certificate", field: field)
        }
    }
}
