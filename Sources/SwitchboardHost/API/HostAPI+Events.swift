import ConnectorKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Synchronization

/// One open event stream's place in the budget, given back once — when the stream ends, or when
/// its response is dropped unwritten.
final class StreamSlot: Sendable {
    private let budget: ConnectionBudget
    private let held = Atomic(true)

    init?(_ budget: ConnectionBudget) {
        guard budget.take() else { return nil }
        self.budget = budget
    }

    func release() {
        if held.exchange(false, ordering: .relaxed) { budget.giveBack() }
    }

    deinit { release() }
}

extension HostAPI {
    /// `GET /v1/events`: the durable event log as Server-Sent Events. Each event's `id:` is its log
    /// id; `Last-Event-ID` (or `?after=`) resumes after it — across host restarts, since the log is
    /// in the store. Without either, the stream starts with new events only (`?after=0` replays all).
    /// A comment is sent every keep-alive interval; the stream ends on graceful shutdown.
    func addEventRoutes(_ router: Router<BasicRequestContext>) {
        router.get("/v1/events") { request, _ in
            let start = try await self.resumePoint(request, defaultToLatest: true)
            return try self.eventStream(after: start, subject: nil, finished: nil)
        }
    }

    /// Where a stream resumes: `Last-Event-ID`, else `?after=`, else the newest event (or 0). Both
    /// are checked when both are given (a bad one is a 400 even where the other wins).
    func resumePoint(_ request: Request, defaultToLatest: Bool) async throws -> Int64 {
        func eventID(_ text: String?) throws -> Int64? {
            guard let text else { return nil }
            guard let value = Int64(text), value >= 0 else {
                throw APIError.badRequest("Last-Event-ID / after must be an event id (a whole number)", code: .invalidParameter)
            }
            return value
        }
        let header = try eventID(request.headers[HTTPField.Name("Last-Event-ID")!])
        let query = try eventID(request.uri.queryParameters.get("after").map { String($0) })
        if let resume = header ?? query { return resume }
        return defaultToLatest ? try await store.latestEventID() : 0
    }

    /// An SSE response over the event log after `start` (only `subject`'s events when given). It
    /// ends on graceful shutdown, or once `finished` says so and every event before has been sent.
    /// - Throws: `503 too_many_streams` when ``APILimits/maxEventStreams`` are open.
    func eventStream(after start: Int64, subject: String?, finished: (@Sendable () async -> Bool)?) throws -> Response {
        guard let slot = StreamSlot(streams) else {
            throw APIError(status: .serviceUnavailable, code: .tooManyStreams,
                           message: "\(streams.limit) event streams are open (host.max_event_streams); close one or retry later")
        }
        let store = self.store, keepAlive = self.keepAlive
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: ResponseBody { writer in
            defer { slot.release() }
            var last = start
            do {
                try await writer.write(ByteBuffer(string: ": switchboard events after \(start)\n\n"))
                while !Task.isCancelled, !Task.isShuttingDownGracefully {
                    let done = await finished?() ?? false
                    let events = try await store.events(after: last, subject: subject, limit: 500)
                    if !events.isEmpty {
                        var frames = ""
                        for event in events {
                            frames += "id: \(event.id)\nevent: \(event.type)\ndata: \(event.envelope)\n\n"
                            last = event.id
                        }
                        try await writer.write(ByteBuffer(string: frames))
                    }
                    if events.count == 500 { continue }
                    if done { break }
                    // Wait for a new event or the keep-alive interval; graceful shutdown ends the wait
                    // (no task polls for it, so thousands of open streams cost nothing while idle).
                    let after = last
                    let woke = try await cancelWhenGracefulShutdown {
                        try await withThrowingTaskGroup(of: Bool.self) { group in
                            group.addTask { try await store.waitForEvent(after: after); return true }
                            group.addTask { try await Task.sleep(for: keepAlive); return false }
                            defer { group.cancelAll() }
                            return try await group.next() ?? false
                        }
                    }
                    if !woke { try await writer.write(ByteBuffer(string: ": keep-alive\n\n")) }
                }
            } catch {
                // The client left, or graceful shutdown ended the wait: finish the response either way.
            }
            try? await writer.finish(nil)
        })
    }
}
