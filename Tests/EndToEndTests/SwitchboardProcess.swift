import Foundation
import Synchronization

/// Runs the built `switchboard` executable as a real process and collects its output.
struct SwitchboardProcess {
    /// Where the binary is: `SWITCHBOARD_BINARY`, else next to the test bundle in the build folder.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["SWITCHBOARD_BINARY"] { return path }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = directory.appendingPathComponent("switchboard").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/switchboard").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + "\n" + stderr }
    }

    /// A started process whose output is collected until it exits.
    final class Running: Sendable {
        /// Bytes a pipe delivered so far.
        final class Buffer: Sendable {
            private let data = Mutex(Data())
            func append(_ more: Data) { data.withLock { $0.append(more) } }
            var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
        }

        let process: Process
        private let out = Buffer()
        private let err = Buffer()

        init(_ arguments: [String], directory: String, environment: [String: String], stdin: Data? = nil) throws {
            process = Process()
            process.executableURL = URL(fileURLWithPath: SwitchboardProcess.binary)
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            var env = ["PATH": "/usr/bin:/bin", "HOME": directory]
            env.merge(environment) { $1 }
            process.environment = env
            let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
            process.standardOutput = outPipe
            process.standardError = errPipe
            process.standardInput = inPipe
            outPipe.fileHandleForReading.readabilityHandler = { [out] handle in out.append(handle.availableData) }
            errPipe.fileHandleForReading.readabilityHandler = { [err] handle in err.append(handle.availableData) }
            try process.run()
            if let stdin { inPipe.fileHandleForWriting.write(stdin) }
            try inPipe.fileHandleForWriting.close()
        }

        var stderrText: String { err.text }
        var stdoutText: String { out.text }

        /// Waits until standard output contains `text`.
        func waitForStdout(_ text: String, timeout: Duration = .seconds(30)) async throws {
            let deadline = ContinuousClock.now + timeout
            while !stdoutText.contains(text) {
                guard process.isRunning, ContinuousClock.now < deadline else { throw TimedOut(waitingFor: text, running: process.isRunning, output: stderrText) }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        /// Signals the process while it runs. Once it exited (and was reaped) its pid may belong to
        /// another process already — a `defer { signal(SIGKILL) }` after `wait()` must not kill that one.
        func signal(_ signal: Int32) {
            guard process.isRunning else { return }
            kill(process.processIdentifier, signal)
        }

        /// Waits for exit (killing the process after `timeout`) and returns what it printed.
        func wait(timeout: Duration = .seconds(30)) async throws -> Result {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning {
                if ContinuousClock.now > deadline {
                    kill(process.processIdentifier, SIGKILL)
                    throw TimedOut(waitingFor: "exit", running: true, output: stderrText)
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(50))  // let the pipes drain
            return Result(status: process.terminationStatus, stdout: out.text, stderr: stderrText)
        }

        /// Waits until standard error contains `text`.
        func waitForStderr(_ text: String, timeout: Duration = .seconds(30)) async throws {
            let deadline = ContinuousClock.now + timeout
            while !stderrText.contains(text) {
                guard process.isRunning, ContinuousClock.now < deadline else { throw TimedOut(waitingFor: text, running: process.isRunning, output: stderrText) }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// What was awaited, whether the process still ran, and the end of its standard error.
    struct TimedOut: Error, CustomStringConvertible {
        var waitingFor = ""
        var running = false
        var output = ""
        var description: String { "timed out waiting for \"\(waitingFor)\" (process \(running ? "running" : "exited")); stderr ends:\n\(output.suffix(3000))" }
    }

    /// Runs to completion.
    static func run(_ arguments: [String], in directory: String, environment: [String: String] = [:], stdin: Data? = nil) async throws -> Result {
        try await Running(arguments, directory: directory, environment: environment, stdin: stdin).wait()
    }
}
