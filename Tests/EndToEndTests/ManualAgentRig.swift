import ConnectorKit
import Foundation
import SwitchboardHost

/// A folder with a signing key (and its certificate), a free port for the host, and a `switchboard
/// sandbox --manual-agent` process whose messaging keyset is that host's JWKS: the agent speaks only
/// when a test tells it to.
struct ManualAgentRig {
    let directory: String
    let port: Int
    let sandbox: String
    let process: SwitchboardProcess.Running
    /// The verification key's id and the keyset's issuer.
    let keyID: String
    let issuer: String

    /// The host's base URL.
    var base: String { "http://127.0.0.1:\(port)" }

    /// Writes `key.pem` and `cert.pem` (key id `keyID`) and starts the sandbox. Its messaging
    /// keyset reads the host's JWKS, or — with `uploadedKey` — has the key's JWK uploaded (several
    /// hosts sharing one key, none of which need be up). `arguments` go to `switchboard sandbox`.
    static func start(name: String, keyID: String, issuer: String, uploadedKey: Bool = false, arguments: [String] = []) async throws -> ManualAgentRig {
        let directory = NSTemporaryDirectory() + "switchboard-\(name)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let key = try KeyGenerator.generate(bits: 2048, keyID: keyID, subject: "CN=\(keyID)", days: 30)
        try key.privateKeyPEM.withRevealedBytes { try Data($0).write(to: URL(fileURLWithPath: directory + "/key.pem")) }
        try key.certificatePEM.write(toFile: directory + "/cert.pem", atomically: true, encoding: .utf8)
        try key.jwk.json.description.write(toFile: directory + "/key.jwk", atomically: true, encoding: .utf8)
        let port = try HandoffProcessTests.freePort()
        let keyset = uploadedKey ? ["--messaging-jwk", directory + "/key.jwk"] : ["--messaging-jwks-url", "http://127.0.0.1:\(port)/.well-known/jwks.json"]
        let process = try SwitchboardProcess.Running(
            ["sandbox", "--port", "0", "--manual-agent", "--messaging-issuer", issuer] + keyset + arguments, directory: directory, environment: [:])
        try await process.waitForStdout("listening on")
        guard let sandbox = process.stdoutText.split(separator: "\n").first(where: { $0.contains("listening on") })?.split(separator: " ").last.map(String.init) else {
            throw SwitchboardProcess.TimedOut(waitingFor: "the sandbox's URL", running: true, output: process.stdoutText)
        }
        return ManualAgentRig(directory: directory, port: port, sandbox: sandbox, process: process, keyID: keyID, issuer: issuer)
    }

    /// A Salesforce connector's `live-agent:` section for this sandbox (indented under a connector),
    /// signing with `key.pem`.
    var liveAgentSection: String {
        """
            live-agent:
              scrt_url: "\(sandbox)"
              org_id: 00DSBX000000001AAA
              es_developer_name: Support_API
              key_id: \(keyID)
              issuer: \(issuer)
              private_key: file:key.pem
              topics: [Access]
              stream_idle_timeout: 5s
        """
    }

    /// Makes the agent act on a conversation (`{"action": …}`); the control API's status.
    @discardableResult
    func agent(_ http: HTTPTransport, _ conversation: String, _ body: String) async throws -> Int {
        try await HandoffProcessTests.post(http, "\(sandbox)/__sandbox/messaging/conversations/\(conversation)/agent", body).status
    }

    /// Stops the sandbox and removes the folder.
    func finish() {
        process.signal(SIGTERM)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
