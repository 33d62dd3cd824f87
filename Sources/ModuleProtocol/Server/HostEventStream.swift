import ConnectorKit
import Foundation
import Synchronization

/// An event stream a served module reads through its host (`sse.open`, `sse.next`, `sse.close`):
/// the host's transport connects, reconnects (backoff, `retry:`, `Last-Event-ID`) and applies the
/// idle timeout; one event crosses per `sse.next`, so the host reads no further ahead than the
/// module. The request's `authorization` stays in the module: its token goes to the host with the
/// stream, and when the server refuses it (401) the module invalidates it and opens the stream
/// again from the last event with a new one — once per event received, as a local stream would.
final class HostEventStream: EventStream.RemoteSource {
    /// What the stream needs of the host connection.
    protocol Host: Sendable {
        func call(_ method: String, _ params: JSONValue) async throws -> JSONValue
        func notify(_ method: String, _ params: JSONValue)
    }

    private struct State {
        var stream: String?
        /// Connections of the host's streams that ended (a re-opened stream counts on).
        var earlier = 0
        var current = 0
        var lastEventID: String?
        var token: String?
        var reauthenticated = false
    }

    let host: any Host
    let request: EventStream.Request
    private let state: Mutex<State>

    init(host: any Host, request: EventStream.Request) {
        self.host = host
        self.request = request
        state = Mutex(State(lastEventID: request.lastEventID))
    }

    var connections: Int { state.withLock { $0.earlier + $0.current } }
    var lastEventID: String? { state.withLock { $0.lastEventID } }

    func next() async throws -> ServerSentEvent? {
        while true {
            try Task.checkCancellation()
            let stream = try await open()
            let answer: JSONValue
            do {
                answer = try await withTaskCancellationHandler {
                    try await host.call("sse.next", .object([("stream", .string(stream))]))
                } onCancel: {
                    self.close()
                }
            } catch let error as RPCError {
                ended()
                if Task.isCancelled { throw CancellationError() }
                let failure = error.connectorError
                guard failure.code == .unauthorized, let authorization = request.authorization,
                      let token = state.withLock({ state -> String? in
                          defer { state.reauthenticated = true }
                          return state.reauthenticated ? nil : state.token
                      }) else { throw failure }
                authorization.invalidate(token)
                continue
            }
            if Task.isCancelled { throw CancellationError() }
            let event = answer["event"].flatMap { $0 == .null ? nil : $0 }
            state.withLock { state in
                state.current = Int(answer["connections"]?.integerValue ?? Int64(state.current))
                if let id = answer["lastEventId"]?.stringValue { state.lastEventID = id }
                if event != nil { state.reauthenticated = false }
            }
            guard let event else {
                ended()
                return nil
            }
            return ServerSentEvent(type: event["type"]?.stringValue ?? "message", data: event["data"]?.stringValue ?? "",
                                   id: event["id"]?.stringValue ?? "")
        }
    }

    /// The host's stream, opened on first use (again after a refused token).
    private func open() async throws -> String {
        if let stream = state.withLock({ $0.stream }) { return stream }
        let token = try await request.authorization?.token()
        let lastEventID = state.withLock { $0.lastEventID }
        let answer = try await host.call("sse.open", .object([
            ("url", .string(request.url)), ("headers", Wire.json(headers: request.headers)), ("bearer", token.map(JSONValue.string)),
            ("lastEventId", lastEventID.map(JSONValue.string)),
            ("idleTimeoutSeconds", .integer(Int64(max(1, request.configuration.idleTimeout.components.seconds)))),
        ]))
        guard let stream = answer["stream"]?.stringValue else { throw ConnectorError.unavailable("the host's sse.open answer has no stream") }
        state.withLock { state in
            state.stream = stream
            state.token = token
        }
        return stream
    }

    /// The host's stream is over (ended, failed or closed): its connections count as earlier ones.
    private func ended() {
        state.withLock { state in
            state.stream = nil
            state.earlier += state.current
            state.current = 0
        }
    }

    /// Asks the host to close the stream (a waiting `sse.next` then ends).
    private func close() {
        guard let stream = state.withLock({ $0.stream }) else { return }
        host.notify("sse.close", .object([("stream", .string(stream))]))
    }

    deinit {
        if let stream = state.withLock({ $0.stream }) { host.notify("sse.close", .object([("stream", .string(stream))])) }
    }
}

extension HostConnection: HostEventStream.Host {}
