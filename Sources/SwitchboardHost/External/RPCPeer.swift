import ConnectorKit
import Foundation
import Logging
import ModuleProtocol

/// The host's end of one child's JSON-RPC conversation: sends calls and matches their answers,
/// serves the child's calls through `handler`, and breaks — failing every pending call with
/// `unavailable` and killing the child — on a malformed line, an oversized line, a call that takes
/// longer than its timeout, or the child's exit.
actor RPCPeer {
    typealias Handler = @Sendable (_ method: String, _ params: JSONValue) async throws -> JSONValue

    let child: ChildProcess
    let logger: Logger
    private let handler: Handler
    private var nextID: Int64 = 1
    private var pending: [Int64: CheckedContinuation<JSONValue, any Error>] = [:]
    private var timers: [Int64: Task<Void, Never>] = [:]
    /// Why the conversation is over, once it is.
    private(set) var broken: ConnectorError?

    init(child: ChildProcess, logger: Logger, handler: @escaping Handler) {
        self.child = child
        self.logger = logger
        self.handler = handler
    }

    /// Calls a method of the module and waits for its result.
    /// - Throws: ``ConnectorError``: the module's own error, or `unavailable` when the conversation broke.
    func call(_ method: String, _ params: JSONValue = .object([JSONMember]()), timeout: Duration) async throws -> JSONValue {
        if let broken { throw broken }
        let id = nextID
        nextID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                pending[id] = continuation
                timers[id] = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    guard !Task.isCancelled else { return }
                    await self?.expire(id, method: method, timeout: timeout)
                }
                child.send(RPCMessage.request(id: .integer(id), method: method, params: params).line) { [weak self] error in
                    guard let error else { return }
                    Task { await self?.fail(ConnectorError.unavailable("cannot write to the module: \(error)")) }
                }
            }
        } onCancel: {
            Task { await self.abandon(id) }
        }
    }

    /// Sends a notification.
    func notify(_ method: String, _ params: JSONValue) async {
        try? await child.write(RPCMessage.notification(method: method, params: params).line)
    }

    private func settle(_ id: Int64, _ result: Result<JSONValue, any Error>) {
        timers.removeValue(forKey: id)?.cancel()
        pending.removeValue(forKey: id)?.resume(with: result)
    }

    private func expire(_ id: Int64, method: String, timeout: Duration) {
        guard pending[id] != nil else { return }
        fail(ConnectorError.unavailable("the module did not answer \(method) within \(DurationFormat.format(timeout)); it is restarted"))
    }

    private func abandon(_ id: Int64) async {
        guard pending[id] != nil else { return }
        settle(id, .failure(CancellationError()))
        await notify("$/cancelRequest", .object([("id", .integer(id))]))
    }

    private var exitExpected = false

    /// Marks the end as expected (shutdown is under way): the child's exit is then not a failure.
    func expectExit() { exitExpected = true }

    /// Ends the conversation: every pending call fails with `error`, the child is killed.
    func fail(_ error: ConnectorError) {
        guard broken == nil else { return }
        broken = error
        if exitExpected {
            logger.debug("external module stopped", metadata: ["detail": .string(error.message)])
        } else {
            logger.error("external module failed", metadata: ["error": .string(error.message)])
        }
        for id in Array(pending.keys) { settle(id, .failure(error)) }
        child.killNow()
    }

    /// Reads the child's lines until it closes stdout or misbehaves, serving its calls concurrently.
    func serve() async {
        await withDiscardingTaskGroup { group in
            do {
                for try await line in child.lines {
                    let message: RPCMessage
                    do {
                        message = try RPCMessage.parse(line)
                    } catch {
                        fail(.unavailable("the module wrote a malformed line (\(error)): \(Self.preview(line))"))
                        group.cancelAll()
                        return
                    }
                    switch message {
                    case .response(let id, let result):
                        guard let key = id.integerValue, pending[key] != nil else { continue }
                        settle(key, .success(result))
                    case .failure(let id, let error):
                        guard let key = id.integerValue, pending[key] != nil else {
                            logger.warning("the module reported an error", metadata: ["error": .string(error.message)])
                            continue
                        }
                        settle(key, .failure(error.connectorError))
                    case .request(let id, let method, let params):
                        let handler = self.handler, child = self.child
                        group.addTask {
                            let answer = await RPCMessage.answer(id: id) { try await handler(method, params) }
                            try? await child.write(answer.line)
                        }
                    case .notification(let method, let params):
                        // A call whose answer the module does not want (sse.close from a cancelled reader).
                        let handler = self.handler, logger = self.logger
                        group.addTask {
                            do { _ = try await handler(method, params) } catch {
                                logger.debug("a module notification failed", metadata: ["method": .string(method), "error": "\(error)"])
                            }
                        }
                    }
                }
                fail(.unavailable("the module closed its output (exit status \(child.exited.map(String.init) ?? "unknown"))"))
            } catch {
                fail(.unavailable("\(error); the module is restarted"))
            }
            // The child is gone: calls it made that still wait (an event stream's next event) end now.
            group.cancelAll()
        }
    }

    /// The first bytes of a line, for a log message.
    static func preview(_ line: [UInt8]) -> String {
        let text = String(decoding: line.prefix(80), as: UTF8.self)
        return line.count > 80 ? text + "… (\(line.count) bytes)" : text
    }
}
