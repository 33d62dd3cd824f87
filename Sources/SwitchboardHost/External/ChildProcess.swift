import Foundation
import ModuleProtocol
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One external module's process: stdin for the host's lines, stdout read as protocol lines (each at
/// most ``LineFramer/limit`` bytes), stderr relayed line by line as the module's log. Pipes are read on
/// threads of their own, so a child that floods or stalls never blocks the host's tasks.
final class ChildProcess: Sendable {
    /// What to start.
    struct Launch: Sendable, Hashable {
        /// The executable (a path, or a name looked up on the allowed PATH).
        var command: String
        var arguments: [String]
        var workingDirectory: String
        /// The whole environment of the child.
        var environment: [String: String]
        /// The longest stdout line accepted.
        var lineLimit = LineFramer.defaultLimit
    }

    /// How stdout ended.
    enum OutputEnd: Error, CustomStringConvertible {
        case overflow(limit: Int)
        var description: String {
            switch self {
            case .overflow(let limit): "the module wrote a line longer than \(limit) bytes"
            }
        }
    }

    private let process = Process()
    private let stdin = Pipe()
    private let stdout = Pipe()
    private let stderr = Pipe()
    private let writeQueue = DispatchQueue(label: "switchboard.child.stdin")
    private let exitStatus = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))
    /// Protocol lines from stdout; finishes at EOF, throws ``OutputEnd`` on an oversized line.
    let lines: AsyncThrowingStream<[UInt8], any Error>
    private let linesContinuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    /// Log lines from stderr; finishes at EOF.
    let logLines: AsyncStream<String>
    private let logContinuation: AsyncStream<String>.Continuation
    let launch: Launch

    /// Starts the child.
    /// - Throws: when the executable cannot be found or started.
    init(_ launch: Launch) throws {
        self.launch = launch
        (lines, linesContinuation) = AsyncThrowingStream.makeStream(of: [UInt8].self, bufferingPolicy: .unbounded)
        (logLines, logContinuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1000))
        // A write to a child that has exited must fail with EPIPE, not kill the host.
        signal(SIGPIPE, SIG_IGN)
        process.executableURL = URL(fileURLWithPath: try Self.resolve(launch.command, path: launch.environment["PATH"], in: launch.workingDirectory))
        process.arguments = launch.arguments
        process.currentDirectoryURL = URL(fileURLWithPath: launch.workingDirectory)
        process.environment = launch.environment
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        process.terminationHandler = { [weak self] process in
            self?.ended(process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus)
        }
        try process.run()
        startReading()
    }

    private func ended(_ status: Int32) {
        let waiters = exitStatus.withLock { state in
            state.status = status
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    /// The child's process id.
    var pid: Int32 { process.processIdentifier }

    /// An executable path: `command` itself when it has a slash, else the first match on `path`.
    static func resolve(_ command: String, path: String?, in directory: String) throws -> String {
        if command.contains("/") {
            let full = command.hasPrefix("/") ? command : directory + "/" + command
            guard FileManager.default.isExecutableFile(atPath: full) else { throw ExternalModuleError.cannotStart("\(full) is not an executable file") }
            return full
        }
        for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw ExternalModuleError.cannotStart("\(command) is not on the module's PATH (\(path ?? "default"))")
    }

    private func startReading() {
        let out = stdout.fileHandleForReading, err = stderr.fileHandleForReading
        let limit = launch.lineLimit
        let lines = linesContinuation, logs = logContinuation
        Thread.detachNewThread {
            var framer = LineFramer(limit: limit)
            while true {
                let data = out.availableData
                if data.isEmpty { lines.finish(); return }
                do {
                    for line in try framer.feed(data) { lines.yield(line) }
                } catch {
                    lines.finish(throwing: OutputEnd.overflow(limit: limit))
                    // Drain (and drop) the rest so the child is never blocked on a full pipe.
                    while !out.availableData.isEmpty {}
                    return
                }
            }
        }
        Thread.detachNewThread {
            var framer = LineFramer(limit: 64 << 10)
            while true {
                let data = err.availableData
                if data.isEmpty { logs.finish(); return }
                if let found = try? framer.feed(data) {
                    for line in found { logs.yield(String(decoding: line, as: UTF8.self)) }
                } else {
                    logs.yield("(a log line longer than 64 KiB was dropped)")
                    framer = LineFramer(limit: 64 << 10)
                }
            }
        }
    }

    /// Queues one line (a newline is added) behind the lines queued before it; the write blocks only
    /// a private queue, never the caller. `done` gets the error when the child's stdin is closed.
    func send(_ line: [UInt8], done: @escaping @Sendable ((any Error)?) -> Void) {
        let handle = stdin.fileHandleForWriting
        writeQueue.async {
            do {
                try handle.write(contentsOf: line + [UInt8(ascii: "\n")])
                done(nil)
            } catch {
                done(ExternalModuleError.cannotStart("the module's stdin is closed (\(error.localizedDescription))"))
            }
        }
    }

    /// Writes one line and waits until it is written.
    func write(_ line: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            send(line) { error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }
        }
    }

    /// Closes the child's stdin (it reads EOF).
    func closeInput() { try? stdin.fileHandleForWriting.close() }

    /// The exit status once it exited (negative: killed by that signal).
    var exited: Int32? { exitStatus.withLock { $0.status } }

    /// Waits for the child to exit.
    func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status: Int32? = exitStatus.withLock { state in
                if let status = state.status { return status }
                state.waiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// Waits up to `limit` for the child to exit; true when it did.
    func waitForExit(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while exited == nil, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return exited != nil
    }

    /// SIGTERM, then SIGKILL after `grace` if it is still running; returns once it has exited.
    func stop(grace: Duration) async {
        guard exited == nil else { return }
        Glibc.kill(pid, SIGTERM)
        if await waitForExit(within: grace) { return }
        Glibc.kill(pid, SIGKILL)
        _ = await waitForExit()
    }

    /// Kills it at once.
    func killNow() {
        guard exited == nil else { return }
        Glibc.kill(pid, SIGKILL)
    }
}

/// Why an external module could not be used.
struct ExternalModuleError: Error, CustomStringConvertible {
    let description: String
    static func cannotStart(_ reason: String) -> ExternalModuleError { ExternalModuleError(description: reason) }
}
