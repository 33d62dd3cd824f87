import ConnectorKit
import Foundation
import Synchronization

/// A module's end of the protocol: reads the host's lines from stdin on a thread of its own (so a
/// blocking call — a secret, a signature — can wait for its answer from any task), writes lines to
/// stdout, and matches the host's answers to the module's calls.
final class HostConnection: Sendable {
    private final class Blocking: @unchecked Sendable {
        let semaphore = DispatchSemaphore(value: 0)
        var result: Result<JSONValue, RPCError>?
    }

    private enum Waiter: Sendable {
        case async(CheckedContinuation<JSONValue, any Error>)
        case blocking(Blocking)
    }

    private let waiters = Mutex<(next: Int, byID: [String: Waiter], closed: Bool)>((1, [:], false))
    private let output = Mutex<FileHandle>(FileHandle.standardOutput)
    /// The host's calls and notifications, in order.
    let incoming: AsyncStream<RPCMessage>
    private let incomingContinuation: AsyncStream<RPCMessage>.Continuation

    init() {
        (incoming, incomingContinuation) = AsyncStream.makeStream(of: RPCMessage.self)
    }

    /// Starts reading stdin; the incoming stream finishes at EOF.
    func startReading() {
        Thread.detachNewThread { [self] in
            var framer = LineFramer()
            let input = FileHandle.standardInput
            while true {
                let data = input.availableData
                guard !data.isEmpty, let lines = try? framer.feed(data) else { break }
                for line in lines {
                    guard let message = try? RPCMessage.parse(line) else { continue }
                    switch message {
                    case .response(let id, let result): settle(id, .success(result))
                    case .failure(let id, let error): settle(id, .failure(error))
                    default: incomingContinuation.yield(message)
                    }
                }
            }
            close()
        }
    }

    private func settle(_ id: JSONValue, _ result: Result<JSONValue, RPCError>) {
        guard let key = id.stringValue, let waiter = waiters.withLock({ $0.byID.removeValue(forKey: key) }) else { return }
        switch waiter {
        case .async(let continuation): continuation.resume(with: result.mapError { $0 as any Error })
        case .blocking(let box):
            box.result = result
            box.semaphore.signal()
        }
    }

    private func close() {
        incomingContinuation.finish()
        let pending = waiters.withLock { state in
            state.closed = true
            defer { state.byID = [:] }
            return state.byID
        }
        for waiter in pending.values {
            switch waiter {
            case .async(let continuation): continuation.resume(throwing: RPCError(code: -32000, message: "the host closed the connection"))
            case .blocking(let box):
                box.result = .failure(RPCError(code: -32000, message: "the host closed the connection"))
                box.semaphore.signal()
            }
        }
    }

    /// Writes one message.
    func send(_ message: RPCMessage) {
        output.withLock { handle in try? handle.write(contentsOf: message.line + [UInt8(ascii: "\n")]) }
    }

    /// Sends a notification: a call whose answer is not wanted.
    func notify(_ method: String, _ params: JSONValue) {
        send(.notification(method: method, params: params))
    }

    private func register(_ waiter: Waiter) -> String? {
        waiters.withLock { state in
            guard !state.closed else { return nil }
            let id = "m\(state.next)"
            state.next += 1
            state.byID[id] = waiter
            return id
        }
    }

    /// Calls a host method and waits for its answer.
    func call(_ method: String, _ params: JSONValue) async throws -> JSONValue {
        try await withCheckedThrowingContinuation { continuation in
            guard let id = register(.async(continuation)) else {
                continuation.resume(throwing: RPCError(code: -32000, message: "the host closed the connection"))
                return
            }
            send(.request(id: .string(id), method: method, params: params))
        }
    }

    /// Calls a host method and blocks this thread until it answers (for the vault and the signer,
    /// whose interfaces are synchronous); stdin is read on another thread, so it never deadlocks.
    func callBlocking(_ method: String, _ params: JSONValue) throws(RPCError) -> JSONValue {
        let box = Blocking()
        guard let id = register(.blocking(box)) else { throw RPCError(code: -32000, message: "the host closed the connection") }
        send(.request(id: .string(id), method: method, params: params))
        box.semaphore.wait()
        return try box.result!.get()
    }
}
