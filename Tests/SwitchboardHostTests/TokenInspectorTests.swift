import ConnectorKit
import Foundation
import Testing
@testable import SwitchboardHost

@Suite("jwt inspect: each problem reported precisely")
struct TokenInspectorTests {
    static let key = try! KeyGenerator.generate(bits: 2048, keyID: "k1", subject: "CN=T", days: 30)
    static let now = Date(timeIntervalSince1970: 1_767_225_600)

    static func token(header: [JSONMember] = [JSONMember("alg", .string("RS256")), JSONMember("typ", .string("JWT")), JSONMember("kid", .string("k1"))],
                      claims: [JSONMember]) throws -> String {
        try JWTSigner.sign(header: .object(header), claims: .object(claims), key: JWTSigningKey(pem: key.privateKeyPEM), algorithm: .rs256)
    }

    static func claims(exp: JSONValue?) -> [JSONMember] {
        [JSONMember("sub", .string("user-42")), JSONMember("iss", .string("https://acme.example"))] + (exp.map { [JSONMember("exp", $0)] } ?? [])
    }

    func failed(_ token: String, key: InspectionKey? = .jwk(Self.key.jwk)) throws -> [TokenCheck] {
        try TokenInspector.inspect(token, key: key, now: Self.now).1.filter { $0.passed == false }
    }

    @Test func validTokenPassesEveryCheck() throws {
        let checks = try TokenInspector.inspect(Self.token(claims: Self.claims(exp: .integer(1_767_225_900))), key: .jwk(Self.key.jwk), now: Self.now).1
        #expect(checks.allSatisfy { $0.passed == true }, "\(checks.map(\.line))")
        #expect(checks.map(\.name) == [.alg, .typ, .kid, .sub, .iss, .exp, .expSeconds, .expFuture, .kidMatches, .signature])
    }

    @Test func expiredToken() throws {
        let failed = try failed(Self.token(claims: Self.claims(exp: .integer(1_767_225_000))))
        #expect(failed.map(\.name) == [.expFuture])
        #expect(failed[0].detail == "expired 600 s ago, at 2025-12-31T23:50:00Z")
    }

    @Test func millisecondsExp() throws {
        let failed = try failed(Self.token(claims: Self.claims(exp: .integer(1_767_225_900_000))))
        #expect(failed.map(\.name) == [.expSeconds])
        #expect(failed[0].detail.contains("looks like milliseconds (2026-01-01T00:05:00Z if read as ms)"))
    }

    @Test func stringExp() throws {
        let failed = try failed(Self.token(claims: Self.claims(exp: .string("1767225900"))))
        #expect(failed.map(\.name) == [.expSeconds])
        #expect(failed[0].detail.contains("the string \"1767225900\""))
    }

    @Test func fractionalExpAndMissingClaims() throws {
        #expect(try failed(Self.token(claims: Self.claims(exp: .number(1_767_225_900.5)))).map(\.name) == [.expSeconds])
        let missing = try failed(Self.token(header: [JSONMember("alg", .string("RS256"))], claims: []))
        #expect(missing.map(\.name) == [.typ, .kid, .sub, .iss, .exp, .kidMatches])
    }

    @Test func wrongKid() throws {
        let token = try Self.token(header: [JSONMember("alg", .string("RS256")), JSONMember("typ", .string("JWT")), JSONMember("kid", .string("k2"))],
                                   claims: Self.claims(exp: .integer(1_767_225_900)))
        let failed = try failed(token)
        #expect(failed.map(\.name) == [.kidMatches])
        #expect(failed[0].detail == "kid \"k2\" is not among the key ids given: k1")
        let inSet = try self.failed(token, key: .jwks(Self.key.jwks))
        #expect(inSet.map(\.name) == [.kidMatches, .signature], "a JWKS without the kid has no key to verify with")
    }

    @Test func tamperedPayload() throws {
        let token = try Self.token(claims: Self.claims(exp: .integer(1_767_225_900)))
        var parts = token.split(separator: ".").map(String.init)
        parts[1] = Base64URL.encode(Array(#"{"sub":"admin","iss":"https://acme.example","exp":1767225900}"#.utf8))
        let failed = try failed(parts.joined(separator: "."))
        #expect(failed.map(\.name) == [.signature])
        #expect(failed[0].detail.hasPrefix("INVALID"))
    }

    @Test func algNoneIsRejected() throws {
        let header = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT","kid":"k1"}"#.utf8))
        let payload = Base64URL.encode(JSONValue.object(Self.claims(exp: .integer(1_767_225_900))).serialized())
        let failed = try failed("\(header).\(payload).")
        #expect(failed.map(\.name) == [.alg, .signature])
        #expect(failed[0].detail == "alg \"none\" means unsigned; it is always rejected")
    }

    @Test func malformedTokensThrow() {
        for bad in ["abc", "a.b", "!!.e30.e30", "e30.!!.e30", "WzFd.e30.", "e30.e30.e30.e30"] {
            #expect(throws: JWTError.self) { try TokenInspector.inspect(bad, key: nil) }
        }
    }

    @Test func withoutAKeyTheSignatureIsNotJudged() throws {
        let checks = try TokenInspector.inspect(Self.token(claims: Self.claims(exp: .integer(1_767_225_900))), key: nil, now: Self.now).1
        #expect(checks.last?.passed == nil)
        #expect(checks.last?.detail == "not checked: pass --jwk, --jwks or --cert")
    }
}
