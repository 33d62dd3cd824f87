import AsyncHTTPClient
import Foundation
import JWTKit
import NIOCore

/// Checks a user-verification JWT (`customerIdentityToken`) the way the deployment's user
/// verification configuration does: the header's `kid` names a key of the keyset (uploaded JWKs,
/// or the JWKS fetched from the keyset's endpoint URL), the RS256 signature verifies with it
/// (jwt-kit — never the host's signer), `iss` equals the keyset's issuer, `exp` is not past.
struct VerificationTokenChecker {
    let configuration: MessagingConfiguration

    /// Why a token was refused; the message tells the admin which check failed.
    struct Refusal: Error {
        let message: String
    }

    struct Claims: JWTPayload {
        var sub: String?
        var iss: String?
        var exp: Double?
        var iat: Double?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// The verified `sub`.
    func verify(_ token: String, now: Date = Date()) async throws(Refusal) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Self.base64URLDecode(parts[0]),
              let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw Refusal(message: "User verification failed: the customerIdentityToken is not a JWT.")
        }
        guard let kid = header["kid"] as? String, !kid.isEmpty else {
            throw Refusal(message: "User verification failed: the JWT header has no kid; it must name a key of the keyset.")
        }
        let (keysJSON, source) = try await keyset()
        let kids = keysJSON.compactMap { $0["kid"] as? String }
        guard let jwk = keysJSON.first(where: { $0["kid"] as? String == kid }) else {
            if let url = configuration.jwksURL {
                throw Refusal(message: "User verification failed: key not in JWKS: kid '\(kid)' is not among the keys published at \(url) (found: \(kids.joined(separator: ", "))).")
            }
            throw Refusal(message: "User verification failed: wrong kid: no key with kid '\(kid)' in the keyset \(source) (kids: \(kids.joined(separator: ", "))).")
        }
        let keys = JWTKeyCollection()
        do {
            let data = try JSONSerialization.data(withJSONObject: jwk)
            try await keys.add(jwk: JSONDecoder().decode(JWK.self, from: data))
        } catch {
            throw Refusal(message: "User verification failed: the key '\(kid)' in the keyset is not a usable RSA JWK.")
        }
        let claims: Claims
        do {
            claims = try await keys.verify(token, as: Claims.self)
        } catch {
            throw Refusal(message: "User verification failed: bad signature: the JWT does not verify with key '\(kid)'.")
        }
        guard claims.iss == configuration.issuer else {
            throw Refusal(message: "User verification failed: wrong issuer: iss '\(claims.iss ?? "")' is not the keyset's issuer '\(configuration.issuer)'.")
        }
        let leeway = Double(configuration.leeway.components.seconds)
        guard let exp = claims.exp, exp + leeway >= now.timeIntervalSince1970 else {
            let when = claims.exp.map { Date(timeIntervalSince1970: $0).formatted(.iso8601) } ?? "never (no exp)"
            throw Refusal(message: "User verification failed: token expired: exp is \(when).")
        }
        guard let sub = claims.sub, !sub.isEmpty else {
            throw Refusal(message: "User verification failed: the JWT has no sub (the user's stable id).")
        }
        return sub
    }

    /// The keyset's keys as JSON objects, and a word on where they came from.
    private func keyset() async throws(Refusal) -> ([[String: Any]], String) {
        if let url = configuration.jwksURL {
            do {
                var request = HTTPClientRequest(url: url)
                request.headers.add(name: "Accept", value: "application/json")
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 1 << 20)
                guard response.status == .ok,
                      let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
                      let keys = json["keys"] as? [[String: Any]] else {
                    throw Refusal(message: "User verification failed: the JWKS endpoint \(url) answered HTTP \(response.status.code) without a {\"keys\": [...]} document.")
                }
                return (keys, "at \(url)")
            } catch let refusal as Refusal {
                throw refusal
            } catch {
                throw Refusal(message: "User verification failed: cannot fetch the JWKS endpoint \(url): \(error).")
            }
        }
        let keys = configuration.uploadedKeys.compactMap { text in
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        }
        return (keys, "(uploaded keys)")
    }

    static func base64URLDecode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
