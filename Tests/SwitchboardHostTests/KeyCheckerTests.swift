import ConnectorKit
import Foundation
import Testing
import X509
@testable import SwitchboardHost

/// One failing file per `keys check` rule, each asserting exactly which rule fails — plus a clean
/// file that passes every rule.
@Suite("keys check: Salesforce's rules, one failing file each")
struct KeyCheckerTests {
    static let now = Date()
    static let good = try! KeyGenerator.generate(bits: 2048, keyID: "switchboard-1", subject: "CN=Switchboard", days: 365, now: now)
    static let other = try! KeyGenerator.generate(bits: 2048, keyID: "other", subject: "CN=Other", days: 365, now: now)

    static func jwkText(_ edit: (inout [JSONMember]) -> Void) -> String {
        var members = good.jwk.members
        edit(&members)
        return JSONValue.object(members).prettyPrinted()
    }

    static func replacing(_ name: String, with value: JSONValue?) -> String {
        jwkText { members in
            if let index = members.firstIndex(where: { $0.name == name }) {
                if let value { members[index].value = value } else { members.remove(at: index) }
            }
        }
    }

    static func check(_ text: String, privateKey: RSAPublicKey? = nil) -> KeyCheckReport {
        KeyChecker.check(file: "test.json", contents: Data(text.utf8), privateKey: privateKey, now: now)
    }

    @Test func cleanJWKPassesEveryRule() throws {
        let report = Self.check(Self.good.jwk.json.prettyPrinted(), privateKey: try RSAPublicKey(privateKeyPEM: Self.good.privateKeyPEM))
        #expect(report.passed, "\(report.text)")
        let rules = Set(report.checks.map(\.rule))
        #expect(rules == [.readable, .oneKeyPerFile, .publicOnly, .kty, .kid, .alg, .use, .base64url, .keySize, .x5c, .x5cCertificate,
                          .validNow, .validTenDays, .keyMatchesCertificate, .privateKeyMatches])
    }

    static func certificateBase64(_ generated: GeneratedKey) -> String { Data(try! generated.certificate.derBytes()).base64EncodedString() }

    static let failingCases: [(String, String, KeyCheck.Rule)] = {
        let shortLived = try! KeyGenerator.generate(bits: 2048, keyID: "k", subject: "CN=Short", days: 5, now: now)
        let expired = try! KeyGenerator.generate(bits: 2048, keyID: "k", subject: "CN=Old", days: 30, now: now.addingTimeInterval(-40 * 86_400))
        let n = good.jwk.string("n")!
        return [
            ("kty missing", replacing("kty", with: nil), .kty),
            ("kty EC", replacing("kty", with: .string("EC")), .kty),
            ("kid missing", replacing("kid", with: nil), .kid),
            ("alg HS256", replacing("alg", with: .string("HS256")), .alg),
            ("use enc", replacing("use", with: .string("enc")), .use),
            ("x5c missing", replacing("x5c", with: nil), .x5c),
            ("x5c base64url", replacing("x5c", with: .array([.string(certificateBase64(Self.good).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_") + "-")])), .x5cCertificate),
            ("x5c not a certificate", replacing("x5c", with: .array([.string(Data("not a certificate at all".utf8).base64EncodedString())])), .x5cCertificate),
            ("n standard base64", replacing("n", with: .string(n.replacingOccurrences(of: "-", with: "+") + "=")), .base64url),
            ("n of a 1024-bit key", jwkText { m in
                m[m.firstIndex { $0.name == "n" }!].value = .string(String(n.prefix(171)))
                m.removeAll { $0.name == "x5c" }
                m.append(JSONMember("x5c", .array([.string(certificateBase64(Self.good))])))
            }, .keySize),
            ("expired certificate", JWK.rsaJSON(expired), .validNow),
            ("certificate with 5 days left", JWK.rsaJSON(shortLived), .validTenDays),
            ("n/e of another key", replacing("n", with: .string(Self.other.jwk.string("n")!)), .keyMatchesCertificate),
            ("an empty JWKS", #"{"keys":[]}"#, .jwks),
            ("an array is not uploadable", JSONValue.array([Self.good.jwk.json]).prettyPrinted(), .oneKeyPerFile),
            ("a certificate PEM with damaged base64", Self.good.certificatePEM.replacingOccurrences(of: "MII", with: "M*I"), .pemCertificate),
            ("not JSON or PEM", "hello", .readable),
            ("a private JWK (d, p, q, dp, dq, qi)", jwkText { m in
                for name in ["d", "p", "q", "dp", "dq", "qi"] { m.append(JSONMember(name, .string("AQAB-private-\(name)"))) }
            }, .publicOnly),
            ("a symmetric key", jwkText { m in m.append(JSONMember("k", .string("c2VjcmV0"))) }, .publicOnly),
        ]
    }()

    @Test(arguments: failingCases.indices)
    func eachRuleFailsOnItsFile(_ index: Int) {
        let (name, text, rule) = Self.failingCases[index]
        let report = Self.check(text)
        #expect(report.failedRules.contains(rule), "\(name): expected \(rule.rawValue) to fail\n\(report.text)")
        let unexpected = report.failedRules.filter { $0 != rule && !Self.consequences(of: rule).contains($0) }
        #expect(unexpected.isEmpty, "\(name): only \(rule.rawValue) should fail, also failed: \(unexpected)\n\(report.text)")
        #expect(report.checks.first { $0.rule == rule && !$0.passed }?.fix?.isEmpty == false, "every failure says how to fix it")
    }

    /// Rules that fail together by nature (a shortened modulus no longer matches the certificate).
    static func consequences(of rule: KeyCheck.Rule) -> Set<KeyCheck.Rule> {
        switch rule {
        case .keySize: [.keyMatchesCertificate]
        case .publicOnly: []
        case .validNow: [.validTenDays]
        default: []
        }
    }

    /// A JWKS whose second key is private fails loudly, whatever its first key is.
    /// Found by the keys fuzz target (Fuzz/Crashes/keys/pem-end-before-begin): markers that
    /// overlap, or an END before the BEGIN, crashed `keys check`; they are an unreadable certificate.
    @Test func certificateMarkersOutOfOrderAreUnreadableNotACrash() {
        for text in ["-----BEGIN CERTIFICATE-------END CERTIFICATE-----\n",
                     "-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nMIIB\n",
                     "-----BEGIN CERTIFICATE-----"] {
            let report = KeyChecker.check(file: "cert.pem", contents: Data(text.utf8))
            #expect(report.checks.contains { !$0.passed }, "\(text): \(report.checks.map(\.detail))")
        }
    }

    @Test func aPrivateKeyAnywhereInTheFileFails() {
        var leaked = Self.other.jwk.members
        leaked.append(JSONMember("d", .string("AQAB-private")))
        let text = JSONValue.object([JSONMember("keys", .array([Self.good.jwk.json, .object(leaked)]))]).prettyPrinted()
        let report = Self.check(text)
        #expect(report.failedRules.contains(.publicOnly), "\(report.text)")
        #expect(report.text.contains("PRIVATE") && report.text.contains("✗ key 2 (kid \(Self.other.jwk.keyID!))") && !report.text.contains("AQAB-private"))
    }

    /// The JWKS an Endpoint URL keyset fetches (what the host serves) passes; every key is checked,
    /// each failure names its key, kids must be unique, x5c is optional there.
    @Test func aJWKSGetsTheEndpointRulesForEveryKey() throws {
        let both = JSONValue.object([JSONMember("keys", .array([Self.good.jwk.json, Self.other.jwk.json]))]).prettyPrinted()
        let report = Self.check(both, privateKey: try RSAPublicKey(privateKeyPEM: Self.other.privateKeyPEM))
        #expect(report.passed && report.kind == "JWKS", "\(report.text)")
        #expect(report.checks.filter { $0.rule == .kid }.count == 2 && report.text.contains("✓ key 2 (kid \(Self.other.jwk.keyID!)): alg is RS256"))
        var noCertificate = Self.other.jwk.members
        noCertificate.removeAll { $0.name == "x5c" }
        var weak = Self.other.jwk.members
        weak[weak.firstIndex { $0.name == "alg" }!].value = .string("HS256")
        let second = Self.check(JSONValue.object([JSONMember("keys", .array([Self.good.jwk.json, .object(weak)]))]).prettyPrinted())
        #expect(second.failedRules == [.alg] && second.text.contains("✗ key 2 (kid \(Self.other.jwk.keyID!)): alg is RS256"), "\(second.text)")
        let bare = Self.check(JSONValue.object([JSONMember("keys", .array([.object(noCertificate)]))]).prettyPrinted())
        #expect(bare.passed, "x5c is optional in a JWKS: \(bare.text)")
        let twice = Self.check(JSONValue.object([JSONMember("keys", .array([Self.good.jwk.json, Self.good.jwk.json]))]).prettyPrinted())
        #expect(twice.failedRules == [.uniqueKid])
        let unpublished = Self.check(both, privateKey: try RSAPublicKey(privateKeyPEM: try KeyGenerator.generate(bits: 2048, keyID: "x", subject: "CN=x", days: 30).privateKeyPEM))
        #expect(unpublished.failedRules == [.privateKeyMatches])
    }

    /// `--url`: an endpoint Salesforce cannot reach, or that answers something else, is named.
    @Test func anEndpointMustBePublicHTTPSAndServeJSON() {
        let body = Array(Self.good.jwks.json.description.utf8)
        #expect(KeyChecker.checkEndpoint(url: "https://jwks.acme.example/.well-known/jwks.json", status: 200, contentType: "application/json",
                                         body: body, now: Self.now).passed)
        #expect(KeyChecker.checkEndpoint(url: "http://127.0.0.1:8710/.well-known/jwks.json", status: 200, contentType: "application/json",
                                         body: body, now: Self.now).failedRules == [.endpointHTTPS])
        #expect(KeyChecker.checkEndpoint(url: "https://localhost/jwks", status: 200, contentType: "application/json", body: body, now: Self.now)
            .failedRules == [.endpointHTTPS])
        #expect(KeyChecker.checkEndpoint(url: "https://jwks.acme.example/", status: 404, contentType: "text/html", body: [], now: Self.now)
            .failedRules == [.endpointAnswers])
        #expect(KeyChecker.checkEndpoint(url: "https://jwks.acme.example/", status: 200, contentType: "application/json",
                                         body: Array(Self.good.jwk.json.description.utf8), now: Self.now).failedRules == [.jwks])
    }

    /// `--config`: the connector's kid is published, its key is the published one, its issuer is said.
    @Test func theConfigurationsSigningKeysAreComparedWithThePublishedOnes() throws {
        let published = [Data(JSONValue.object([JSONMember("keys", .array([Self.good.jwk.json]))]).description.utf8)]
        let goodKey = try RSAPublicKey(privateKeyPEM: Self.good.privateKeyPEM)
        let right = KeyChecker.compare([.init(name: "acme live-agent", keyID: Self.good.jwk.keyID!, issuer: "https://acme.example", publicKey: goodKey)],
                                       publishedIn: published)
        #expect(right.passed && right.text.contains("must be exactly https://acme.example"), "\(right.text)")
        let otherKey = try RSAPublicKey(privateKeyPEM: Self.other.privateKeyPEM)
        #expect(KeyChecker.compare([.init(name: "a", keyID: Self.good.jwk.keyID!, issuer: "i", publicKey: otherKey)], publishedIn: published).failedRules
                == [.configKeyMatches])
        #expect(KeyChecker.compare([.init(name: "a", keyID: "rotated-2", issuer: "i", publicKey: goodKey)], publishedIn: published).failedRules == [.configKid])
        #expect(KeyChecker.compare([.init(name: "a", keyID: Self.good.jwk.keyID!, issuer: "i ", publicKey: goodKey)], publishedIn: published).failedRules
                == [.configIssuer])
    }

    @Test func privateKeyThatDoesNotMatch() throws {
        let report = Self.check(Self.good.jwk.json.prettyPrinted(), privateKey: try RSAPublicKey(privateKeyPEM: Self.other.privateKeyPEM))
        #expect(report.failedRules == [.privateKeyMatches])
    }

    @Test func certificatePEMPassesAndReportsItsRules() throws {
        let report = KeyChecker.check(file: "c.pem", contents: Data(Self.good.certificatePEM.utf8),
                                      privateKey: try RSAPublicKey(privateKeyPEM: Self.good.privateKeyPEM), now: Self.now)
        #expect(report.passed, "\(report.text)")
        #expect(report.checks.map(\.rule) == [.pemCertificate, .keySize, .validNow, .validTenDays, .privateKeyMatches])
        let two = KeyChecker.check(file: "c.pem", contents: Data((Self.good.certificatePEM + Self.other.certificatePEM).utf8), now: Self.now)
        #expect(two.failedRules == [.pemCertificate])
    }

    @Test func reportNeverShowsPrivateKeyMaterial() throws {
        let pem = try Self.good.privateKeyPEM.revealedString()
        let report = KeyChecker.check(file: "k.pem", contents: Data(pem.utf8), now: Self.now)
        #expect(report.passed)
        for line in pem.split(separator: "\n") where !line.hasPrefix("-----") { #expect(!report.text.contains(line)) }
    }
}

extension JWK {
    /// The JWK JSON of a generated key.
    static func rsaJSON(_ generated: GeneratedKey) -> String { generated.jwk.json.prettyPrinted() }
}
