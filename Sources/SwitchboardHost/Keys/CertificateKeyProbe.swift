import ConnectorKit
import Foundation
import SwiftASN1

/// Reads the RSA public key out of a certificate's DER by walking the ASN.1 structure, for
/// certificates swift-certificates refuses to load (it rejects RSA keys under 2048 bits), so
/// `keys check` can say "the key has 1024 bits" instead of "the certificate does not parse".
enum CertificateKeyProbe {
    /// Certificate → tbsCertificate → subjectPublicKeyInfo → RSAPublicKey { n, e }.
    static func rsaPublicKey(certificateDER: [UInt8]) -> RSAPublicKey? {
        guard let certificate = try? DER.parse(certificateDER), let tbs = children(certificate)?.first,
            var fields = children(tbs)
        else { return nil }
        // An explicit [0] version comes first when present.
        if let first = fields.first, first.identifier.tagClass == .contextSpecific { fields.removeFirst() }
        // serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
        guard fields.count >= 6, let spki = children(fields[5]), spki.count == 2,
            case .primitive(let bitString) = spki[1].content, bitString.count > 1,
            let rsaKey = try? DER.parse(Array(bitString.dropFirst())), let numbers = children(rsaKey), numbers.count == 2,
            case .primitive(let n) = numbers[0].content, case .primitive(let e) = numbers[1].content
        else { return nil }
        return RSAPublicKey(modulus: n, exponent: e)
    }

    /// The DER of the first certificate in a PEM text.
    static func firstCertificateDER(pem: String) -> [UInt8]? {
        // The END marker after the BEGIN one: found by the keys fuzz target, an END searched from
        // the start (before or overlapping BEGIN) made an inverted range and crashed `keys check`.
        guard let start = pem.range(of: "-----BEGIN CERTIFICATE-----"),
              let end = pem.range(of: "-----END CERTIFICATE-----", range: start.upperBound..<pem.endIndex) else { return nil }
        let body = pem[start.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body)).map(Array.init)
    }

    private static func children(_ node: ASN1Node) -> [ASN1Node]? {
        guard case .constructed(let nodes) = node.content else { return nil }
        return Array(nodes)
    }
}
