import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

extension HostAPI {
    /// The longest `wait` of `GET /v1/events/poll`, in seconds.
    static let maxPollWait = 30
    /// The most events one page holds.
    static let maxPollLimit = 500

    /// `GET /v1/events/poll`: the event log as JSON pages, for clients that cannot hold a stream
    /// open (MCP tools, scripts). `after` is the cursor (default: the newest event, so a first call
    /// returns no events and the cursor to start from); `subject` keeps one handoff's or ticket's
    /// events; `wait` (seconds) holds the request until at least one event arrives or the time is
    /// up. The page's `next` is the `after` of the next call.
    func addEventPollRoute(_ router: Router<BasicRequestContext>) {
        router.get("/v1/events/poll") { request, _ in
            let parameters = request.uri.queryParameters
            let after = try await self.resumePoint(request, defaultToLatest: true)
            let subject = parameters.get("subject").map { String($0) }
            if let subject, subject.isEmpty { throw APIError.badRequest("subject must not be empty", code: .invalidParameter) }
            let limit = try Self.wholeNumber(parameters.get("limit").map { String($0) }, name: "limit", default: 100, range: 1...Self.maxPollLimit)
            let wait = try Self.wholeNumber(parameters.get("wait").map { String($0) }, name: "wait", default: 0, range: 0...Self.maxPollWait)
            let deadline = ContinuousClock.now + .seconds(wait)
            while true {
                // The newest id first: when the page then holds nothing of the subject, nothing up
                // to it is, and the cursor may move there.
                let latest = try await self.store.latestEventID()
                let events = try await self.store.events(after: after, subject: subject, limit: limit)
                if let last = events.last { return Self.pollPage(events, next: last.id) }
                if ContinuousClock.now >= deadline || Task.isShuttingDownGracefully { return Self.pollPage([], next: max(after, latest)) }
                // Sleep until an event is appended or the deadline; a graceful shutdown answers at once.
                _ = try? await cancelWhenGracefulShutdown {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await self.store.waitForEvent(after: latest) }
                        group.addTask { try await Task.sleep(until: deadline) }
                        defer { group.cancelAll() }
                        try await group.next()
                    }
                }
            }
        }
    }

    /// `{"events":[Event…],"next":N}`, the events as the SSE stream sends them.
    static func pollPage(_ events: [StoredEvent], next: Int64) -> Response {
        let body = "{\"events\":[" + events.map(\.envelope).joined(separator: ",") + "],\"next\":\(next)}"
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// A whole-number query parameter within `range` (`default` when absent).
    static func wholeNumber(_ given: String?, name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let given else { return value }
        guard let number = Int(given), range.contains(number) else {
            throw APIError.badRequest("\(name) must be a whole number \(range.lowerBound)…\(range.upperBound) (got '\(given)')", code: .invalidParameter)
        }
        return number
    }
}
