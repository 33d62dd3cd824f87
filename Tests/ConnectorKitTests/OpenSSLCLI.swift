import Foundation

/// The `openssl` command-line tool, the independent implementation tests check our crypto against.
enum OpenSSLCLI {
    struct Failure: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        let output: String
        var description: String { "openssl \(arguments.joined(separator: " ")) exited \(status): \(output)" }
    }

    /// Runs `openssl` with arguments in `directory`; returns standard output, throws on failure.
    @discardableResult
    static func run(_ arguments: [String], in directory: String, stdin: Data? = nil) throws -> String {
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
    static func verifies(signature: [UInt8], message: [UInt8], publicKeyPEM: String, digest: String = "-sha256", in directory: String) throws -> Bool {
        let id = UUID().uuidString
        try Data(signature).write(to: URL(fileURLWithPath: "\(directory)/\(id).sig"))
        try Data(message).write(to: URL(fileURLWithPath: "\(directory)/\(id).msg"))
        try publicKeyPEM.write(toFile: "\(directory)/\(id).pub", atomically: true, encoding: .utf8)
        do {
            try run(["dgst", digest, "-verify", "\(id).pub", "-signature", "\(id).sig", "\(id).msg"], in: directory)
            return true
        } catch let failure as Failure where failure.output.contains("Verification failure") {
            return false
        }
    }
}
