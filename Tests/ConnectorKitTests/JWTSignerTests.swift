import ConnectorKitTesting
import ConnectorKit
import Foundation
import SwiftASN1
import Testing

@Suite("JWT signer: exact, cross-checked with openssl")
struct JWTSignerTests {
    /// RFC 7515 Appendix A.2 (RS256): the RSA key of RFC 7515 A.2.1 and its published signature.
    enum RFC7515A2 {
        static let n = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"
        static let e = "AQAB"
        static let d = "Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ"
        static let p = "4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc"
        static let q = "uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc"
        static let dp = "BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0"
        static let dq = "h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU"
        static let qi = "IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U"
        static let signingInput = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        static let signature = "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"

        /// The key as a PKCS#1 `RSA PRIVATE KEY` PEM, built from its JWK numbers.
        static func pkcs1PEM() throws -> String {
            var serializer = DER.Serializer()
            try serializer.appendConstructedNode(identifier: .sequence) { s in
                try s.serialize(0)
                for part in [n, e, d, p, q, dp, dq, qi] { try s.serialize(ArraySlice(positiveInteger(Base64URL.decode(part)!))) }
            }
            let base64 = Data(serializer.serializedBytes).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            return "-----BEGIN RSA PRIVATE KEY-----\n\(base64)\n-----END RSA PRIVATE KEY-----\n"
        }

        /// DER INTEGERs are signed: a leading 0 keeps a high first bit positive.
        static func positiveInteger(_ bytes: [UInt8]) -> [UInt8] { (bytes.first ?? 0) & 0x80 != 0 ? [0] + bytes : bytes }
    }

    @Test func reproducesRFC7515AppendixA2ByteForByte() throws {
        let key = try JWTSigningKey(pem: Secret(RFC7515A2.pkcs1PEM()))
        #expect(key.bits == 2048)
        let signature = try key.sign(Array(RFC7515A2.signingInput.utf8))
        #expect(Base64URL.encode(signature) == RFC7515A2.signature)

        // The same through the JSON path: the RFC header {"alg":"RS256"} and its CRLF-laden payload.
        let header = JSONValue.object([JSONMember("alg", .string("RS256"))])
        let decoded = try JWTVerifier.decode(RFC7515A2.signingInput + "." + RFC7515A2.signature)
        #expect(decoded.header == header)
        #expect(decoded.claims["exp"] == .integer(1_300_819_380))
        let publicKey = RSAPublicKey(modulus: Base64URL.decode(RFC7515A2.n)!, exponent: Base64URL.decode(RFC7515A2.e)!)
        #expect(JWTVerifier.isSignatureValid(decoded, key: publicKey))
    }

    @Test(arguments: [
        ("PKCS#1", ["genrsa", "-traditional", "-out", "key.pem", "2048"], "BEGIN RSA PRIVATE KEY"),
        ("PKCS#8", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key.pem"], "BEGIN PRIVATE KEY"),
        ("req -x509", ["req", "-x509", "-sha256", "-nodes", "-days", "30", "-newkey", "rsa:2048", "-subj", "/CN=test", "-keyout", "key.pem", "-out", "cert.pem"], "BEGIN PRIVATE KEY"),
    ])
    func signsWithOpenSSLMadeKeysAndOpenSSLVerifies(_ kind: String, _ generate: [String], _ marker: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await OpenSSLCLI.run(generate, in: dir.path)
        let pem = try String(contentsOfFile: dir.file("key.pem"), encoding: .utf8)
        #expect(pem.contains(marker), "\(kind) key expected")
        let publicPEM = try await OpenSSLCLI.run(["pkey", "-in", "key.pem", "-pubout"], in: dir.path)

        let signer = JWTSigner(vault: nil, clock: ConnectorClock(now: { Date(timeIntervalSince1970: 1_767_225_600) }, sleep: { _ in }))
        let key = try JWTSigningKey(pem: Secret(pem))
        let claims = JWTClaims.messagingUserToken(subject: "user-42", issuer: "https://id.acme.example", now: signer.clock.now())
        for algorithm in JWTAlgorithm.allCases {
            let token = try signer.sign(claims, with: key, algorithm: algorithm, keyID: "acme-key-1")
            let decoded = try JWTVerifier.decode(token)
            let digest = "-sha" + algorithm.rawValue.dropFirst(2)
            let accepted = try await OpenSSLCLI.verifies(signature: decoded.signature, message: decoded.signingInput, publicKeyPEM: publicPEM, digest: digest, in: dir.path)
            #expect(accepted,
                    "openssl rejects our \(algorithm) signature with a \(kind) key")
            #expect(JWTVerifier.isSignatureValid(decoded, key: try RSAPublicKey(publicKeyPEM: publicPEM)))
            var tampered = decoded
            tampered.signingInput[tampered.signingInput.count - 2] ^= 1
            let tamperedAccepted = try await OpenSSLCLI.verifies(signature: tampered.signature, message: tampered.signingInput, publicKeyPEM: publicPEM, digest: digest, in: dir.path)
            #expect(!tamperedAccepted)
        }
    }

    @Test func headerAndClaimsAreExactAndDeterministic() throws {
        let now = Date(timeIntervalSince1970: 1_767_225_600.75)
        let key = try JWTSigningKey(pem: Secret(RFC7515A2.pkcs1PEM()))
        let signer = JWTSigner(vault: nil)
        let token = try signer.sign(.messagingUserToken(subject: "user-42", issuer: "https://id.acme.example", now: now), with: key, keyID: "acme-key-1")
        let parts = token.split(separator: ".")
        #expect(String(decoding: Base64URL.decode(parts[0])!, as: UTF8.self) == #"{"alg":"RS256","typ":"JWT","kid":"acme-key-1"}"#)
        #expect(String(decoding: Base64URL.decode(parts[1])!, as: UTF8.self)
            == #"{"sub":"user-42","iss":"https://id.acme.example","iat":1767225600,"exp":1767225900}"#)
        #expect(try signer.sign(.messagingUserToken(subject: "user-42", issuer: "https://id.acme.example", now: now), with: key, keyID: "acme-key-1") == token,
                "PKCS#1 v1.5 is deterministic")
    }

    @Test func claimSetsForTheThreeFlows() {
        let now = Date(timeIntervalSince1970: 1_767_225_600)
        let bearer = JWTClaims.bearerAssertion(consumerKey: "3MVG9", username: "integration@acme.example", audience: "https://login.salesforce.com", now: now)
        #expect(bearer.json.description == #"{"iss":"3MVG9","sub":"integration@acme.example","aud":"https://login.salesforce.com","exp":1767225780}"#)
        let liveAssist = JWTClaims.liveAssistToken(contactId: "3F2A9C4E-1B7D-4E8A-9C21-6D5E4F3A2B10", givenName: "Dana", familyName: "Rivera",
                                                   issuer: "support.contoso.example", now: now)
        #expect(liveAssist.json.description
            == #"{"sub":"3f2a9c4e-1b7d-4e8a-9c21-6d5e4f3a2b10","given_name":"Dana","family_name":"Rivera","iss":"support.contoso.example","iat":1767225600,"exp":1767226500}"#)
        #expect(liveAssist["iat"] == .integer(1_767_225_600), "NumericDate is an integer of seconds")
    }

    @Test func refusesSmallEncryptedAndNonRSAKeys() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await OpenSSLCLI.run(["genrsa", "-out", "small.pem", "1024"], in: dir.path)
        let small = #expect(throws: JWTError.self) { try JWTSigningKey(pem: Secret(String(contentsOfFile: dir.file("small.pem"), encoding: .utf8))) }
        #expect(small?.isKeyTooSmall == true)
        #expect(small?.description.contains("1024 bits; at least 2048") == true)
        try await OpenSSLCLI.run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-aes256", "-pass", "pass:pw", "-out", "enc.pem"], in: dir.path)
        let encrypted = #expect(throws: JWTError.self) { try JWTSigningKey(pem: Secret(String(contentsOfFile: dir.file("enc.pem"), encoding: .utf8))) }
        #expect(encrypted?.description.contains("encrypted with a passphrase") == true)
        try await OpenSSLCLI.run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem"], in: dir.path)
        let ec = #expect(throws: JWTError.self) { try JWTSigningKey(pem: Secret(String(contentsOfFile: dir.file("ec.pem"), encoding: .utf8))) }
        #expect(ec?.description.contains("not an RSA key") == true)
        #expect(throws: JWTError.self) { try JWTSigningKey(pem: Secret("not a key")) }
    }

    @Test func keyDescriptionsNeverShowMaterial() throws {
        let pem = try RFC7515A2.pkcs1PEM()
        let key = try JWTSigningKey(pem: Secret(pem))
        let line = pem.split(separator: "\n")[1]
        for text in ["\(key)", String(reflecting: key)] { #expect(!text.contains(line)) }
    }

    @Test func signerCachesKeysPerReference() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("key.pem", try RFC7515A2.pkcs1PEM())
        try dir.write("other.pem", try RFC7515A2.pkcs1PEM())
        let vault = CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: dir.path, environment: [:]))
        let signer = JWTSigner(vault: vault)
        let first = try signer.signingKey(SecretReference(.file, "key.pem"))
        try FileManager.default.removeItem(atPath: dir.file("key.pem"))
        let second = try signer.signingKey(SecretReference(.file, "key.pem"))  // from the cache: the file is gone
        #expect(first.bits == second.bits)
        signer.forgetKey(SecretReference(.file, "key.pem"))
        #expect(throws: (any Error).self) { try signer.signingKey(SecretReference(.file, "key.pem")) }
        // A reload forgets every key: one rewritten under the same reference is read again.
        let cached = try signer.signingKey(SecretReference(.file, "other.pem"))
        try FileManager.default.removeItem(atPath: dir.file("other.pem"))
        #expect(try signer.signingKey(SecretReference(.file, "other.pem")).bits == cached.bits)
        signer.forgetAllKeys()
        #expect(throws: (any Error).self) { try signer.signingKey(SecretReference(.file, "other.pem")) }
    }
}

@Suite("JSON for JWTs")
struct JSONValueTests {
    @Test func parsesKeepingOrderAndNumberKinds() throws {
        let value = try JSONParser.parse(#"{"b":1,"a":1.5,"c":"x\u00e9\n","d":[true,null,-0],"e":1e3,"f":"1767225600"}"#)
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.name) == ["b", "a", "c", "d", "e", "f"])
        #expect(value["b"] == .integer(1))
        #expect(value["a"] == .number(1.5))
        #expect(value["c"] == .string("xé\n"))
        #expect(value["e"] == .number(1000))
        #expect(value["f"] == .string("1767225600"))
    }

    @Test(arguments: ["{", "{\"a\":}", "[1,]", "01", "\"\\x\"", "{\"a\":1}x", "\"a\u{1}\"",
                      "tru", "nul", "fals", "falsy", "trUe", "[true,nulL]", "[false ,  nul]", "t", "truex"])
    func rejectsInvalid(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test func literalsAtTheVeryEndAndNonASCIIText() throws {
        #expect(try JSONParser.parse("true") == .bool(true))
        #expect(try JSONParser.parse("false") == .bool(false))
        #expect(try JSONParser.parse(" null ") == .null)
        #expect(try JSONParser.parse(#"["日本","zoë","\ud83d\ude00",""]"#) == .array([.string("日本"), .string("zoë"), .string("😀"), .string("")]))
    }

    /// Bytes that are not UTF-8 inside a string (an unfinished sequence, a lone continuation byte,
    /// an overlong form) are refused, not decoded to U+FFFD.
    @Test func rejectsInvalidUTF8() {
        for bad: [UInt8] in [[0xC3, 0x28], [0x80], [0xC0, 0xAF], [0x61, 0xE2, 0x82]] {
            let text: [UInt8] = [0x22] + bad + [0x22]
            #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
        }
    }

    /// Every ASCII character (controls, quote, backslash) and non-ASCII text, alone and in runs:
    /// written and parsed back unchanged, with the short escapes where JSON has them.
    @Test func stringsWriteAndParseBack() throws {
        var samples = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        samples += ["", "plain", "zoë \"quoted\" \\ back\\slash\n\t\r\u{1}end", "日本\u{1F}", String(repeating: "ab\"", count: 50)]
        for sample in samples {
            var out: [UInt8] = []
            JSONValue.writeString(sample, into: &out)
            #expect(try JSONParser.parse(out) == .string(sample), "\(Array(sample.utf8))")
        }
        var out: [UInt8] = []
        JSONValue.writeString("a\"\\\n\r\t\u{8}/", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\"\\\n\r\t\u0008/""#)
    }

    @Test func serializesRoundTrip() throws {
        let text = #"{"s":"q\"b\\s/","i":-5,"a":[],"o":{}}"#
        #expect(try JSONParser.parse(text).description == text)
    }
}

@Suite("Base64URL")
struct Base64URLTests {
    @Test func matchesFoundationForEveryLengthAndByte() {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(($0 * 37 + length * 11) & 0xFF) }
            let reference = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(Base64URL.encode(bytes) == reference)
            #expect(Base64URL.decode(reference) == bytes)
        }
        let all = (0...255).map { UInt8($0) }
        #expect(Base64URL.decode(Base64URL.encode(all)) == all)
    }

    @Test func decodeRejectsOtherAlphabetsAndPadding() {
        #expect(Base64URL.decode("ab+c") == nil)
        #expect(Base64URL.decode("ab/c") == nil)
        #expect(Base64URL.decode("YQ==") == nil)
        #expect(Base64URL.decode("Y") == nil)
    }
}
