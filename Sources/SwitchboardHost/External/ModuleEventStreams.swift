import ConnectorKit
import Foundation
import ModuleProtocol
import Synchronization

/// The Server-Sent Events streams the host reads for one external connector (`sse.open`, `sse.next`,
/// `sse.close`): each is an ``EventStream`` on the host's transport — reconnects with backoff or the
/// server's `retry:`, `Last-Event-ID`, the idle timeout, metrics — read one event per `sse.next`, so
/// nothing is read ahead of the module. At most ``limit`` are open at once; all of them close when
/// the child that opened them ends.
final class ModuleEventStreams: Sendable {
    /// Open streams per connector.
    static let limit = 32

    /// A stream's iterator, used by one `sse.next` at a time.
    private final class Reader: @unchecked Sendable {
        var iterator: EventStream.Iterator
        init(_ iterator: EventStream.Iterator) { self.iterator = iterator }
    }

    private struct Entry {
        var reader: Reader?
        /// The `sse.next` under way, which `sse.close` cancels.
        var reading: Task<ServerSentEvent?, any Error>?
    }

    private let state = Mutex<(next: Int, open: [String: Entry])>((1, [:]))

    /// Opens a stream (nothing connects until the first `sse.next`); returns its id.
    func open(_ request: EventStream.Request, transport: HTTPTransport) throws -> String {
        try state.withLock { state in
            guard state.open.count < Self.limit else {
                throw RPCError(ConnectorError.invalidRequest("at most \(Self.limit) event streams may be open at once; close one with sse.close"))
            }
            let id = "s\(state.next)"
            state.next += 1
            state.open[id] = Entry(reader: Reader(transport.events(request).makeAsyncIterator()))
            return id
        }
    }

    /// The stream's next event (`nil` once it ended), with its position. A stream that ended or
    /// failed is closed.
    func next(_ id: String) async throws -> (event: ServerSentEvent?, lastEventID: String?, connections: Int) {
        let reader: Reader = try state.withLock { state in
            guard var entry = state.open[id] else { throw RPCError(ConnectorError.notFound("no open event stream \(id)")) }
            guard let reader = entry.reader else { throw RPCError.invalidRequest("sse.next is already waiting on \(id)") }
            entry.reader = nil
            state.open[id] = entry
            return reader
        }
        let reading = Task { try await reader.iterator.next() }
        let registered = state.withLock { state in
            guard state.open[id] != nil else { return false }
            state.open[id]?.reading = reading
            return true
        }
        if !registered { reading.cancel() }
        do {
            let event = try await withTaskCancellationHandler { try await reading.value } onCancel: { reading.cancel() }
            let position = (reader.iterator.lastEventID, reader.iterator.connections)
            state.withLock { state in
                guard state.open[id] != nil else { return }
                if event == nil { state.open[id] = nil } else { state.open[id] = Entry(reader: reader) }
            }
            return (event, position.0, position.1)
        } catch {
            _ = state.withLock { $0.open.removeValue(forKey: id) }
            if let failure = error as? EventStreamError {
                // A refusal for good: a 401 the module's token caused is the module's to answer.
                throw failure.reason.contains("401") ? ConnectorError.unauthorized("the event stream refused the access token: \(failure)", httpStatus: 401)
                    : ConnectorError.upstream("the event stream ended: \(failure)", httpStatus: nil)
            }
            throw error
        }
    }

    /// Closes a stream (a waiting `sse.next` ends); unknown ids are ignored.
    func close(_ id: String) {
        state.withLock { $0.open.removeValue(forKey: id) }?.reading?.cancel()
    }

    /// Closes every stream (the child that opened them ended).
    func closeAll() {
        let entries = state.withLock { state in
            defer { state.open.removeAll() }
            return Array(state.open.values)
        }
        for entry in entries { entry.reading?.cancel() }
    }

    /// How many are open.
    var count: Int { state.withLock { $0.open.count } }
}

/// The module's own access token for a stream it opened (`"bearer"` on `sse.open`): once the server
/// refuses it, the stream fails `unauthorized` so the module gets a new one and opens again.
final class ModuleBearerToken: AccessTokenSource {
    let value: String
    private let refused = Mutex(false)

    init(_ value: String) { self.value = value }

    func token() async throws -> String {
        if refused.withLock({ $0 }) {
            throw ConnectorError.unauthorized("the event stream refused the module's access token (401)", httpStatus: 401)
        }
        return value
    }

    func invalidate(_ token: String) { refused.withLock { $0 = true } }
}
