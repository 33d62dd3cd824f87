import Foundation

/// The `openssl` command-line tool, the independent implementation tests check crypto against
/// (connector authors: verify your tokens' signatures with it, not with the code that made them).
public enum OpenSSLCLI {
    /// `openssl` failed.
    public struct Failure: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let output: String
        public var description: String { "openssl \(arguments.joined(separator: " ")) exited \(status): \(output)" }
    }

    /// Runs `openssl` with arguments in `directory`; returns standard output, throws on failure.
    /// The blocking wait happens on a thread of its own, never on the tests' cooperative pool.
    @discardableResult
    public static func run(_ arguments: [String], in directory: String, stdin: Data? = nil) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try runBlocking(arguments, in: directory, stdin: stdin) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String], in directory: String, stdin: Data?) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: output, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(arguments: arguments, status: process.terminationStatus, output: text + String(decoding: errors, as: UTF8.self))
        }
        return text
    }

    /// Whether `openssl` accepts `signature` over `message` with the public key in `publicKeyPEM`.
    public static func verifies(signature: [UInt8], message: [UInt8], publicKeyPEM: String, digest: String = "-sha256", in directory: String) async throws -> Bool {
        let id = UUID().uuidString
        try Data(signature).write(to: URL(fileURLWithPath: "\(directory)/\(id).sig"))
        try Data(message).write(to: URL(fileURLWithPath: "\(directory)/\(id).msg"))
        try publicKeyPEM.write(toFile: "\(directory)/\(id).pub", atomically: false, encoding: .utf8)
        do {
            try await run(["dgst", digest, "-verify", "\(id).pub", "-signature", "\(id).sig", "\(id).msg"], in: directory)
            return true
        } catch let failure as Failure where failure.output.contains("Verification failure") {
            return false
        }
    }
}
