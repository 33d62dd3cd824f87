import Foundation
import ConnectorKit
import Testing

/// `switchboard jwt mint --connector … --flow bearer` takes everything from the salesforce
/// connector in connectors.yaml; the token verifies against the connector's certificate, and the
/// sandbox's token endpoint accepts it.
@Suite("switchboard jwt mint from a connector, as a process", .serialized)
struct ConnectorMintProcessTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "switchboard-mint-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    @Test func bearerAssertionFromTheConnectorsSettings() async throws {
        let generate = try await SwitchboardProcess.run(["keys", "generate", "--name", "sf", "--kid", "sf-1"], in: directory)
        #expect(generate.status == 0, "\(generate.output)")
        try """
            version: 1
            connectors:
              acme:
                module: salesforce
                features: [user-ingestion]
                org: { login_url: "https://test.salesforce.com" }
                auth: { consumer_key: env:SF_CONSUMER_KEY, username: integration@acme.example, private_key: file:keys/sf.key.pem }
            """.write(toFile: directory + "/connectors.yaml", atomically: false, encoding: .utf8)
        let environment = ["SF_CONSUMER_KEY": "3MVGmintTest"]
        let mint = try await SwitchboardProcess.run(["jwt", "mint", "--connector", "acme", "--flow", "bearer"], in: directory, environment: environment)
        #expect(mint.status == 0, "\(mint.output)")
        let token = mint.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = token.split(separator: ".")
        #expect(parts.count == 3)
        let payload = try #require(Data(base64Encoded: Self.padded(String(parts[1]))))
        let claims = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        #expect(claims["iss"] as? String == "3MVGmintTest")
        #expect(claims["sub"] as? String == "integration@acme.example")
        #expect(claims["aud"] as? String == "https://test.salesforce.com")
        let exp = try #require(claims["exp"] as? Int)
        let now = Int(Date().timeIntervalSince1970)
        #expect((now + 170...now + 190).contains(exp), "exp is now + 180 s, in integer seconds")
        let inspect = try await SwitchboardProcess.run(["jwt", "inspect", token, "--cert", "keys/sf.crt.pem"], in: directory)
        #expect(inspect.status == 0 && inspect.stdout.contains("✓ signature: valid") && inspect.stdout.contains("– profile: bearer"),
                "a bearer assertion (no kid) is valid by the bearer rules, and verifies against the connector's certificate: \(inspect.output)")
        let wrongCert = try await SwitchboardProcess.run(["keys", "generate", "--name", "other", "--kid", "o-1"], in: directory)
        #expect(wrongCert.status == 0)
        let mismatch = try await SwitchboardProcess.run(["jwt", "inspect", token, "--cert", "keys/other.crt.pem"], in: directory)
        #expect(mismatch.status == 1 && !mismatch.stdout.contains("✓ signature: valid"))

        // A connector that logs in to the sandbox keyword: the org acts as production, aud is login.salesforce.com.
        try """
            version: 1
            connectors:
              acme:
                module: salesforce
                features: [user-ingestion]
                org: { login_url: sandbox }
                auth: { consumer_key: 3MVGmintTest, username: integration@acme.example, private_key: file:keys/sf.key.pem }
            """.write(toFile: directory + "/connectors.yaml", atomically: false, encoding: .utf8)
        let sandboxMint = try await SwitchboardProcess.run(["jwt", "mint", "--connector", "acme", "--flow", "bearer"], in: directory)
        #expect(sandboxMint.status == 0, "\(sandboxMint.output)")
        let sandboxClaims = sandboxMint.stdout.split(separator: ".").dropFirst().first.flatMap { Base64URL.decode(String($0)) }.map { String(decoding: $0, as: UTF8.self) }
        #expect(sandboxClaims?.contains(#""aud":"https://login.salesforce.com""#) == true, "\(sandboxClaims ?? "")")
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func padded(_ base64url: String) -> String {
        let standard = base64url.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        return standard + String(repeating: "=", count: (4 - standard.count % 4) % 4)
    }
}
