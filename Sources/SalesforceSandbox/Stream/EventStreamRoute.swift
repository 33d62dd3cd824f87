import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization

/// `GET /__sandbox/stream`: a numbered `text/event-stream` for transport tests, shaped like
/// Enhanced Messaging's entries. It resumes after `Last-Event-ID`, and watches graceful shutdown
/// so the server can always stop.
///
/// Query: `count` (events in all; endless when absent), `interval` (ms between events, default 50),
/// `retry` (send a `retry:` field first), `stall` (after the event with this id, go silent —
/// no bytes, no comments — until the client gives up; only on a connection that sent it).
/// After the last event a reconnecting client gets 204 (no more events).
struct EventStreamRoute {
    func add(to router: Router<BasicRequestContext>) {
        router.get("/__sandbox/stream") { request, _ -> Response in
            let query = FormEncoding.query(of: request)
            let count = query["count"].flatMap(Int.init)
            let interval = query["interval"].flatMap(Int.init) ?? 50
            let retry = query["retry"].flatMap(Int.init)
            let stall = query["stall"].flatMap(Int.init)
            let lastID = request.headers[HTTPField.Name("Last-Event-ID")!].flatMap(Int.init) ?? 0
            if let count, lastID >= count { return Response(status: .noContent) }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: ResponseBody { writer in
                let stop = Atomic(false)
                await withGracefulShutdownHandler {
                    if let retry { try? await writer.write(ByteBuffer(string: "retry: \(retry)\n\n")) }
                    var next = lastID + 1
                    while !stop.load(ordering: .relaxed), !Task.isCancelled, count.map({ next <= $0 }) ?? true {
                        do { try await writer.write(ByteBuffer(string: Self.frame(id: next))) } catch { return }
                        if stall == next {
                            while !stop.load(ordering: .relaxed), !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
                            return
                        }
                        next += 1
                        try? await Task.sleep(for: .milliseconds(interval))
                    }
                } onGracefulShutdown: {
                    stop.store(true, ordering: .relaxed)
                }
                try await writer.finish(nil)
            })
        }
    }

    /// One event: an agent message entry, as Enhanced Messaging sends them.
    static func frame(id: Int) -> String {
        "id: \(id)\nevent: CONVERSATION_MESSAGE\ndata: {\"conversationId\":\"3f1c2a52-8d1e-4f7a-9b0c-1d2e3f4a5b6c\","
            + "\"conversationEntry\":{\"identifier\":\"entry-\(id)\",\"entryType\":\"Message\",\"sender\":{\"role\":\"Agent\"},"
            + "\"entryPayload\":\"{\\\"abstractMessage\\\":{\\\"staticContent\\\":{\\\"text\\\":\\\"Agent reply \(id)\\\"}}}\"}}\n\n"
    }
}
