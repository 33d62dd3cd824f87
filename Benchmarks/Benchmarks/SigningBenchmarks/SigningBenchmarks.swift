import Benchmark
import ConnectorKit
import Foundation

/// A fresh 2048-bit RSA key made by the openssl CLI (PKCS#8 PEM).
func makeKeyPEM() -> String {
    let path = NSTemporaryDirectory() + "switchboard-bench-\(UUID().uuidString).pem"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path]
    process.standardError = FileHandle.nullDevice
    try! process.run()
    process.waitUntilExit()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try! String(contentsOfFile: path, encoding: .utf8)
}

let benchmarks: @Sendable () -> Void = {
    let pem = makeKeyPEM()
    let key = try! JWTSigningKey(pem: Secret(pem))
    let publicKey = try! RSAPublicKey(privateKeyPEM: Secret(pem))
    let signer = JWTSigner(vault: nil)
    let claims = JWTClaims.bearerAssertion(
        consumerKey: "3MVG9example", username: "integration@acme.example", audience: "https://login.salesforce.com", now: Date())
    let token = try! signer.sign(claims, with: key)
    let decoded = try! JWTVerifier.decode(token)
    let configuration = Benchmark.Configuration(metrics: [.throughput, .wallClock], warmupIterations: 50, maxDuration: .seconds(5), maxIterations: 50_000)

    Benchmark("RS256 sign: whole token (OpenSSL, RSA-2048)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! signer.sign(claims, with: key)) }
    }
    Benchmark("RS256 sign: signing input only (OpenSSL, RSA-2048)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try! key.sign(decoded.signingInput)) }
    }
    Benchmark("RS256 verify (swift-crypto, RSA-2048)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(publicKey.isValidSignature(decoded.signature, for: decoded.signingInput, algorithm: .rs256)) }
    }
}
