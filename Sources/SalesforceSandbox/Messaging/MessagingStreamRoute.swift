import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `GET /eventrouter/v1/sse`: one end user's events across all their conversations
/// (salesforce-messaging-api.md §5): bearer token, `X-Org-Id` (15 characters) and
/// `Last-Event-Id`; numbered `id:`s, `event: ping` keep-alives. With
/// ``MessagingConfiguration/replayAfterLastEventId`` the events after `Last-Event-Id` come again
/// first. The stream ends on graceful shutdown or when its token is revoked.
struct MessagingStreamRoute {
    let messaging: MessagingOrg

    func add(to router: Router<BasicRequestContext>) {
        router.get("/eventrouter/v1/sse") { request, _ -> Response in
            guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
                return MessagingRoutes.error(.unauthorized, "The Authorization header with a Bearer access token is required.")
            }
            let token = String(header.dropFirst(7))
            guard let subject = messaging.subject(forToken: token) else {
                return MessagingRoutes.error(.unauthorized, "The access token is invalid or expired.")
            }
            guard let orgId = request.headers[HTTPField.Name("X-Org-Id")!] else {
                return MessagingRoutes.error(.badRequest, "The X-Org-Id header is required.")
            }
            guard orgId == messaging.organizationID else {
                return MessagingRoutes.error(.badRequest, "OrgId in the header and token must match (send the 15-character org id).")
            }
            let lastEventId = request.headers[HTTPField.Name("Last-Event-Id")!].flatMap(Int.init) ?? 0
            let configuration = messaging.configuration
            messaging.countStream(subject: subject)
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: ResponseBody { writer in
                var last = configuration.replayAfterLastEventId ? lastEventId : max(lastEventId, messaging.latestEventId)
                do {
                    try await writer.write(ByteBuffer(string: ": connected\n\n"))
                    while !Task.isCancelled, !Task.isShuttingDownGracefully, messaging.isNotRevoked(token) {
                        let events = messaging.events(subject: subject, after: last)
                        if !events.isEmpty {
                            var frames = ""
                            for event in events {
                                frames += "id: \(event.id)\nevent: \(event.name)\ndata: \(event.data)\n\n"
                                last = event.id
                            }
                            try await writer.write(ByteBuffer(string: frames))
                            continue
                        }
                        // Wait for an event or the ping interval; graceful shutdown ends the wait.
                        let after = last
                        let woke = try await cancelWhenGracefulShutdown {
                            try await withThrowingTaskGroup(of: Bool.self) { group in
                                group.addTask { try await messaging.waitForEvent(subject: subject, after: after); return true }
                                group.addTask { try await Task.sleep(for: configuration.pingInterval); return false }
                                defer { group.cancelAll() }
                                return try await group.next() ?? false
                            }
                        }
                        if !woke { try await writer.write(ByteBuffer(string: "event: ping\ndata: 0\n\n")) }
                    }
                } catch {
                    return
                }
                try? await writer.finish(nil)
            })
        }
    }
}

extension MessagingOrg {
    /// Whether a token exists and is not revoked (an open stream outlives its token's expiry; a revoked one ends).
    func isNotRevoked(_ token: String) -> Bool {
        state.withLock { state in state.tokens[token].map { !$0.revoked } ?? false }
    }
}
