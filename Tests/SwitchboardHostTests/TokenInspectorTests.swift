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
        [JSONMember("sub", .string("user-42")), JSONMember("iss", .string("https://acme.example")), JSONMember("iat", .integer(1_767_225_300))]
            + (exp.map { [JSONMember("exp", $0)] } ?? [])
    }

    func failed(_ token: String, key: InspectionKey? = .jwk(Self.key.jwk)) throws -> [TokenCheck] {
        try TokenInspector.inspect(token, key: key, now: Self.now).1.filter { $0.passed == false }
    }

    @Test func validTokenPassesEveryCheck() throws {
        let checks = try TokenInspector.inspect(Self.token(claims: Self.claims(exp: .integer(1_767_225_900))), key: .jwk(Self.key.jwk), now: Self.now).1
        #expect(checks.dropFirst().allSatisfy { $0.passed == true } && checks.first?.name == .profile, "\(checks.map(\.line))")
        #expect(checks.first?.detail.hasPrefix("messaging (it has a kid and no aud)") == true)
        #expect(checks.map(\.name) == [.profile, .alg, .typ, .kid, .sub, .iss, .iat, .exp, .expSeconds, .expFuture, .kidMatches, .signature])
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
        let bare = try Self.token(header: [JSONMember("alg", .string("RS256"))], claims: [])
        #expect(try failed(bare).map(\.name) == [.sub, .iss, .exp], "generic: no kid or typ is demanded")
        let asMessaging = try TokenInspector.inspect(bare, key: .jwk(Self.key.jwk), profile: .messaging, now: Self.now).1.filter { $0.passed == false }
        #expect(asMessaging.map(\.name) == [.kid, .sub, .iss, .exp, .kidMatches])
    }

    func checks(_ token: String, profile: TokenProfile? = nil) throws -> [TokenCheck] {
        try TokenInspector.inspect(token, key: .certificate(try RSAPublicKey(certificate: Self.key.certificate)), profile: profile, now: Self.now).1
    }

    /// A bearer assertion has no kid and is valid; its aud must be an audience, not a My Domain URL.
    @Test func bearerAssertionsAreJudgedByTheBearerRules() throws {
        let header = [JSONMember("alg", .string("RS256"))]
        let good = try Self.token(header: header, claims: JWTClaims.bearerAssertion(consumerKey: "3MVG9key", username: "integration@acme.example",
                                                                                    audience: "https://login.salesforce.com", now: Self.now).json.members!)
        let result = try checks(good)
        #expect(!result.contains { $0.passed == false } && result.first?.detail.hasPrefix("bearer") == true, "\(result.map(\.line))")
        #expect(result.contains { $0.name == .kid && $0.passed == nil }, "kid is not needed")
        let myDomain = try Self.token(header: header, claims: JWTClaims.bearerAssertion(consumerKey: "3MVG9key", username: "integration@acme.example",
                                                                                        audience: "https://acme.my.salesforce.com", now: Self.now).json.members!)
        let refused = try checks(myDomain).filter { $0.passed == false }
        #expect(refused.map(\.name) == [.aud] && refused[0].detail.contains("not an audience"))
        let long = try Self.token(header: header, claims: JWTClaims.bearerAssertion(consumerKey: "k", username: "u@acme.example", audience: "https://test.salesforce.com",
                                                                                    now: Self.now, lifetime: .seconds(3600)).json.members!)
        #expect(try checks(long).contains { $0.name == .lifetime && $0.passed == nil && $0.detail.contains("at most 3 minutes") })
    }

    /// A Live Assist token: no kid, sub a contact GUID, given and family names, iat.
    @Test func liveAssistTokensAreJudgedByTheirRules() throws {
        let header = [JSONMember("alg", .string("RS256")), JSONMember("typ", .string("JWT"))]
        func claims(_ sub: String, names: Bool = true, iat: Bool = true) -> [JSONMember] {
            [JSONMember("sub", .string(sub)), JSONMember("iss", .string("support.acme.example"))]
                + (names ? [JSONMember("given_name", .string("Dana")), JSONMember("family_name", .string("Rivera"))] : [])
                + (iat ? [JSONMember("iat", .integer(1_767_225_600))] : []) + [JSONMember("exp", .integer(1_767_226_500))]
        }
        let good = try checks(try Self.token(header: header, claims: claims("7d51925c-cde2-e411-80db-00155d2a68cb")))
        #expect(!good.contains { $0.passed == false } && good.first?.detail.hasPrefix("live-assist") == true, "\(good.map(\.line))")
        #expect(try checks(try Self.token(header: header, claims: claims("7D51925C-CDE2-E411-80DB-00155D2A68CB"))).filter { $0.passed == false }.map(\.name) == [.sub])
        #expect(try checks(try Self.token(header: header, claims: claims("7d51925c-cde2-e411-80db-00155d2a68cb", names: false, iat: false)), profile: .liveAssist)
            .filter { $0.passed == false }.map(\.name) == [.givenName, .familyName, .iat])
        #expect(try checks(try Self.token(header: header, claims: claims("user-42")), profile: .liveAssist).filter { $0.passed == false }.map(\.name) == [.sub])
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
