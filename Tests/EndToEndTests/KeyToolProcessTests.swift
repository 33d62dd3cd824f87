import Foundation
import Testing

/// The admin's key path through the real binary, each artefact checked by the `openssl` CLI.
@Suite("switchboard keys and jwt, checked by openssl", .serialized)
final class KeyToolProcessTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "switchboard-keys-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Runs the openssl CLI; the blocking wait happens on a thread of its own, off the test pool.
    @discardableResult
    func openssl(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let directory = self.directory
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try Self.opensslBlocking(arguments, in: directory) })
            }
        }
    }

    static func opensslBlocking(_ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func privateKeyLines() throws -> [Substring] {
        try String(contentsOfFile: directory + "/keys/miaw.key.pem", encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("-----") }
    }

    @Test func generateCheckMintInspect() async throws {
        let generate = try await SwitchboardProcess.run(["keys", "generate", "--name", "miaw", "--kid", "switchboard-1", "--subject", "CN=Switchboard, O=Acme"], in: directory)
        #expect(generate.status == 0, "\(generate.output)")
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/keys/miaw.key.pem")[.posixPermissions] as? Int
        #expect(mode == 0o600)

        // openssl accepts the certificate: valid for 10+ days, self-signed chain verifies, sha256WithRSAEncryption.
        #expect(try await openssl(["x509", "-in", "keys/miaw.crt.pem", "-noout", "-checkend", "864000"]).status == 0)
        #expect(try await openssl(["verify", "-CAfile", "keys/miaw.crt.pem", "keys/miaw.crt.pem"]).output.contains("keys/miaw.crt.pem: OK"))
        #expect(try await openssl(["x509", "-in", "keys/miaw.crt.pem", "-noout", "-text"]).output.contains("sha256WithRSAEncryption"))
        // The private key and the certificate belong together, says openssl.
        let keyModulus = try await openssl(["rsa", "-in", "keys/miaw.key.pem", "-noout", "-modulus"]).output
        let certModulus = try await openssl(["x509", "-in", "keys/miaw.crt.pem", "-noout", "-modulus"]).output
        #expect(keyModulus == certModulus)

        let check = try await SwitchboardProcess.run(["keys", "check", "keys/miaw.jwk.json", "keys/miaw.crt.pem", "--private-key", "keys/miaw.key.pem"], in: directory)
        #expect(check.status == 0, "\(check.output)")
        #expect(!check.stdout.contains("✗"))

        let mint = try await SwitchboardProcess.run(["jwt", "mint", "--key", "keys/miaw.key.pem", "--kid", "switchboard-1",
                                                     "--iss", "https://acme.example", "--sub", "user-42", "--claim", "given_name=Dana", "--claim", "level=3"], in: directory)
        #expect(mint.status == 0, "\(mint.output)")
        let token = mint.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = token.split(separator: ".").map(String.init)
        #expect(parts.count == 3)

        // openssl verifies the signature over the signing input with the certificate's key.
        try Data((parts[0] + "." + parts[1]).utf8).write(to: URL(fileURLWithPath: directory + "/input"))
        try Data(base64URL: parts[2]).write(to: URL(fileURLWithPath: directory + "/sig"))
        try await openssl(["x509", "-in", "keys/miaw.crt.pem", "-pubkey", "-noout", "-out", "pub.pem"])
        #expect(try await openssl(["dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig", "input"]).output.contains("Verified OK"))
        let payload = String(decoding: Data(base64URL: parts[1]), as: UTF8.self)
        #expect(payload.contains(#""given_name":"Dana""#) && payload.contains(#""level":3"#))

        let inspect = try await SwitchboardProcess.run(["jwt", "inspect", token, "--jwks", "keys/miaw.jwks.json"], in: directory)
        #expect(inspect.status == 0, "\(inspect.output)")
        #expect(inspect.stdout.contains("✓ signature: valid"))
        let piped = try await SwitchboardProcess.run(["jwt", "inspect", "-", "--cert", "keys/miaw.crt.pem"], in: directory, stdin: Data(token.utf8))
        #expect(piped.status == 0 && piped.stdout.contains("✓ signature: valid"), "\(piped.output)")

        var tampered = parts
        tampered[1] = Data(#"{"iss":"https://acme.example","sub":"admin","exp":9999999999}"#.utf8).base64URLEncoded()
        let bad = try await SwitchboardProcess.run(["jwt", "inspect", tampered.joined(separator: "."), "--jwk", "keys/miaw.jwk.json"], in: directory)
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("✗ signature: INVALID"))

        for result in [generate, check, mint, inspect, piped, bad] {
            for line in try privateKeyLines() { #expect(!result.output.contains(line), "private key material in CLI output") }
        }
    }

    @Test func generateIntoTheVaultAndMintFromIt() async throws {
        let initialise = try await SwitchboardProcess.run(["vault", "init"], in: directory)
        let export = try #require(initialise.stdout.split(separator: "\n").first { $0.hasPrefix("export SWITCHBOARD_MASTER_KEY=") })
        let env = ["SWITCHBOARD_MASTER_KEY": String(export.dropFirst("export SWITCHBOARD_MASTER_KEY=".count))]
        let generate = try await SwitchboardProcess.run(["keys", "generate", "--name", "miaw", "--kid", "k1", "--vault", "miaw-key"], in: directory, environment: env)
        #expect(generate.status == 0, "\(generate.output)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/keys/miaw.key.pem"), "with --vault no key file is written")
        let list = try await SwitchboardProcess.run(["vault", "list"], in: directory)
        #expect(list.stdout.contains("miaw-key"))
        let mint = try await SwitchboardProcess.run(["jwt", "mint", "--key", "vault:miaw-key", "--kid", "k1", "--iss", "i", "--sub", "s"], in: directory, environment: env)
        #expect(mint.status == 0, "\(mint.output)")
        let inspect = try await SwitchboardProcess.run(["jwt", "inspect", mint.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--jwk", "keys/miaw.jwk.json"], in: directory)
        #expect(inspect.status == 0 && inspect.stdout.contains("✓ signature: valid"), "\(inspect.output)")
        let again = try await SwitchboardProcess.run(["keys", "generate", "--name", "miaw", "--kid", "k1"], in: directory, environment: env)
        #expect(again.status == 1 && again.stderr.contains("refusing to overwrite"))
    }

    @Test func jwkAndLiveAssistKeyFromOpenSSLMadeFiles() async throws {
        try await openssl(["req", "-x509", "-sha256", "-nodes", "-days", "36500", "-newkey", "rsa:2048", "-subj", "/CN=elsewhere",
                     "-keyout", "k.pem", "-out", "c.pem"])
        let jwk = try await SwitchboardProcess.run(["keys", "jwk", "--cert", "c.pem", "--kid", "ext-1"], in: directory)
        #expect(jwk.status == 0, "\(jwk.output)")
        try jwk.stdout.write(toFile: directory + "/c.jwk.json", atomically: false, encoding: .utf8)
        let check = try await SwitchboardProcess.run(["keys", "check", "c.jwk.json", "--private-key", "k.pem"], in: directory)
        #expect(check.status == 0, "\(check.output)")

        let expected = try await openssl(["pkey", "-in", "k.pem", "-pubout"]).output.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        for arguments in [["--key", "k.pem"], ["--cert", "c.pem"]] {
            let oneLine = try await SwitchboardProcess.run(["keys", "live-assist-public-key"] + arguments, in: directory)
            #expect(oneLine.status == 0)
            #expect(oneLine.stdout == expected + "\n", "one line, no header or footer, equal to openssl's public key")
        }
    }

    @Test func checkFailsWithReasonsAndExitStatus() async throws {
        try await openssl(["req", "-x509", "-sha256", "-nodes", "-days", "5", "-newkey", "rsa:1024", "-subj", "/CN=weak", "-keyout", "weak.pem", "-out", "weak.crt"])
        let check = try await SwitchboardProcess.run(["keys", "check", "weak.crt"], in: directory)
        #expect(check.status == 1)
        #expect(check.stdout.contains("✗ RSA key of at least 2048 bits — the key has 1024 bits"))
        #expect(check.stdout.contains("✓ a single well-formed PEM certificate"), "the PEM is fine; only its key is too small: \(check.stdout)")
        let small = try await SwitchboardProcess.run(["jwt", "mint", "--key", "weak.pem", "--iss", "i", "--sub", "s"], in: directory)
        #expect(small.status == 1 && small.stderr.contains("1024 bits; at least 2048 are required"), "\(small.output)")
    }
}

extension Data {
    init(base64URL text: String) {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        self = Data(base64Encoded: standard) ?? Data()
    }

    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
