import ConnectorKit
import Foundation
import Testing

@Suite("Secret never shows its value")
struct SecretTests {
    let canary = "CANARY-secret-7f3a9c2e11d04b6a"

    @Test func everyTextFormIsRedacted() throws {
        let secret = Secret(canary)
        var dumped = ""
        dump(secret, to: &dumped)
        struct Holder: Encodable { var token: Secret }
        let json = String(decoding: try JSONEncoder().encode(Holder(token: secret)), as: UTF8.self)
        let forms = [
            secret.description, secret.debugDescription, "\(secret)", String(describing: secret),
            String(reflecting: secret), dumped, json, "\([secret])", "\(Optional(secret) as Any)",
        ]
        for form in forms {
            #expect(!form.contains(canary), "leaked in: \(form)")
            #expect(form.contains("redacted"), "not marked redacted: \(form)")
        }
        #expect(json == #"{"token":"<redacted>"}"#)
    }

    @Test func revealsOnlyWhenAsked() throws {
        let secret = Secret(canary)
        #expect(try secret.revealedString() == canary)
        #expect(secret.withRevealedBytes { $0.count } == canary.utf8.count)
        #expect(secret.byteCount == canary.utf8.count)
        #expect(throws: VaultError.self) { try Secret(bytes: [0xFF, 0xFE]).revealedString() }
    }

    @Test func equalityComparesContent() {
        #expect(Secret("abc") == Secret("abc"))
        #expect(Secret("abc") != Secret("abd"))
        #expect(Secret("abc") != Secret("abcd"))
    }
}

@Suite("SecretReference")
struct SecretReferenceTests {
    @Test func parsesTheThreeKinds() throws {
        #expect(try SecretReference.parse("env:SF_KEY") == SecretReference(.env, "SF_KEY"))
        #expect(try SecretReference.parse("file:keys/a.pem") == SecretReference(.file, "keys/a.pem"))
        #expect(try SecretReference.parse("vault:sf-jwt-key") == SecretReference(.vault, "sf-jwt-key"))
        #expect(try SecretReference.parse("plain text") == nil)
        #expect(try SecretReference.parse("https://x") == nil)
    }

    @Test(arguments: ["env:", "env:1ABC", "env:A-B", "file:", "vault:", "vault:bad name", "vault:.hidden"])
    func rejectsMalformedNames(_ text: String) {
        #expect(throws: VaultError.self) { try SecretReference.parse(text) }
    }
}

@Suite("SecretRedactor")
struct SecretRedactorTests {
    @Test func scrubsWholeSecretsAndLongLines() {
        let redactor = SecretRedactor()
        let pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----"
        redactor.register(Secret(pem))
        redactor.register(Secret("tok-123456"))
        #expect(redactor.redact("key=\(pem)") == "key=<redacted>")
        #expect(!redactor.redact("line: MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7 end").contains("MIIEvQ"))
        #expect(redactor.redact("Bearer tok-123456.") == "Bearer <redacted>.")
        #expect(redactor.redact("nothing here") == "nothing here")
    }

    @Test func ignoresFragmentsTooShortToBeSpecific() {
        let redactor = SecretRedactor()
        redactor.register(Secret("abc"))
        #expect(redactor.redact("abc abc") == "abc abc")
        #expect(redactor.isEmpty)
    }
}

@Suite("DurationFormat")
struct DurationFormatTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)), ("60s", .seconds(60)), ("15m", .seconds(900)), ("1h", .seconds(3600)),
        ("1h30m", .seconds(5400)), ("2d", .seconds(172_800)), ("0s", .zero),
    ])
    func parses(_ text: String, _ expected: Duration) {
        #expect(DurationFormat.parse(text) == expected)
    }

    @Test(arguments: ["", "15", "m", "10x", "1.5h", "-5s", "5 s", "1h30", "99999999999999d"])
    func rejects(_ text: String) {
        #expect(DurationFormat.parse(text) == nil)
    }

    @Test func formatsInLargestUnits() {
        #expect(DurationFormat.format(.seconds(90)) == "1m30s")
        #expect(DurationFormat.format(.milliseconds(1500)) == "1s500ms")
        #expect(DurationFormat.format(.seconds(3600)) == "1h")
    }
}
