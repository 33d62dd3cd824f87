import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// `switchboard sandbox` as a real process: an admin's key, minted by `switchboard jwt mint`,
/// gets a token from it; faults go through the control API; SIGTERM stops it.
@Suite("switchboard sandbox, as a process", .serialized)
final class SandboxProcessTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "switchboard-sandbox-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    static func post(_ url: String, contentType: String, body: String) async throws -> (status: UInt, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    @Test func anAdminsKeyGetsATokenFromTheSandbox() async throws {
        let generate = try await SwitchboardProcess.run(["keys", "generate", "--name", "sf", "--kid", "sf-1"], in: directory)
        #expect(generate.status == 0, "\(generate.output)")
        let sandbox = try SwitchboardProcess.Running(
            ["sandbox", "--port", "0", "--seed", "9", "--consumer-key", "3MVGe2e", "--certificate", "keys/sf.crt.pem"],
            directory: directory, environment: [:])
        try await sandbox.waitForStdout("control API")
        let base = try #require(sandbox.stdoutText.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
        #expect(base.hasPrefix("http://127.0.0.1:"))
        #expect(sandbox.stdoutText.contains("seed 9: 250 contacts"))

        let mint = try await SwitchboardProcess.run(["jwt", "mint", "--key", "keys/sf.key.pem", "--iss", "3MVGe2e",
                                                     "--sub", "integration@sandbox.switchboard.example", "--aud", "https://login.salesforce.com", "--ttl", "180s"],
                                                    in: directory)
        #expect(mint.status == 0, "\(mint.output)")
        let assertion = mint.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(assertion)"
        let token = try await Self.post("\(base)/services/oauth2/token", contentType: "application/x-www-form-urlencoded", body: form)
        #expect(token.status == 200, "\(token.body)")
        #expect(token.body.contains("\"access_token\":\"00DSBX000000001!") && token.body.contains("\"instance_url\":\"\(base)\""))

        // As in a real org, the login host is not an audience.
        let ownURL = try await SwitchboardProcess.run(["jwt", "mint", "--key", "keys/sf.key.pem", "--iss", "3MVGe2e",
                                                       "--sub", "integration@sandbox.switchboard.example", "--aud", base, "--ttl", "180"], in: directory)
        let wrongAudience = try await Self.post("\(base)/services/oauth2/token", contentType: "application/x-www-form-urlencoded",
                                                body: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(ownURL.stdout.trimmingCharacters(in: .whitespacesAndNewlines))")
        #expect(wrongAudience.status == 400 && wrongAudience.body.contains("audience is invalid"), "\(wrongAudience.body)")

        // A fault through the control API: the next token request gets 503 with Retry-After.
        let fault = try await Self.post("\(base)/__sandbox/faults", contentType: "application/json",
                                        body: #"{"path":"/services/oauth2/token","status":503,"retryAfter":"1","times":1}"#)
        #expect(fault.status == 201)
        let refused = try await Self.post("\(base)/services/oauth2/token", contentType: "application/x-www-form-urlencoded", body: form)
        #expect(refused.status == 503)
        let again = try await Self.post("\(base)/services/oauth2/token", contentType: "application/x-www-form-urlencoded", body: form)
        #expect(again.status == 200)

        sandbox.signal(SIGTERM)
        let result = try await sandbox.wait()
        #expect(result.status == 0, "\(result.output)")
        #expect(!result.output.contains(assertion) && !result.output.contains("PRIVATE KEY"), "no secrets in its output")
    }

    @Test func refusesANonLoopbackAddressWithoutTheFlag() async throws {
        let result = try await SwitchboardProcess.run(["sandbox", "--host", "0.0.0.0", "--port", "0"], in: directory)
        #expect(result.status == 1 && result.stderr.contains("--allow-remote"))
    }
}
