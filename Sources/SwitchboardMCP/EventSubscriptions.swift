import Foundation
import MCP

/// A session's resource subscriptions: one long-polling watcher per subscribed URI, each sending
/// `notifications/resources/updated` when events arrive. The watchers belong to this object —
/// unsubscribing cancels one, ``stop()`` (the session's end) cancels all.
actor EventSubscriptions {
    /// How long one poll of the API waits for an event, in seconds.
    static let pollWait = 25
    /// Subscriptions one session may hold.
    static let limit = 64

    private let resources: HostEventResources
    private weak var server: Server?
    private var watchers: [String: Task<Void, Never>] = [:]
    private var stopped = false

    init(resources: HostEventResources) {
        self.resources = resources
    }

    /// The server notifications go through (set once it exists).
    func attach(_ server: Server) { self.server = server }

    /// Starts watching `uri` (again: nothing new). New events are those after the subscription.
    func subscribe(_ uri: String) async throws {
        guard let (subject, _) = HostEventResources.parse(uri) else {
            throw MCPError.invalidParams("not a Switchboard resource: \(uri) (expected \(HostEventResources.uriTemplate))")
        }
        guard !stopped, watchers[uri] == nil else { return }
        guard watchers.count < Self.limit else { throw MCPError.invalidRequest("at most \(Self.limit) subscriptions per session") }
        let start = try await resources.cursor(subject)
        let resources = self.resources
        watchers[uri] = Task { [weak self] in
            var cursor = start
            while !Task.isCancelled {
                do {
                    let page = try await resources.page(subject: subject, after: cursor, wait: Self.pollWait)
                    cursor = page.next
                    if page.count > 0 { await self?.updated(uri) }
                } catch {
                    // The host is away (restarting): try again shortly, until cancelled.
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// Stops watching `uri`.
    func unsubscribe(_ uri: String) {
        watchers.removeValue(forKey: uri)?.cancel()
    }

    /// Stops every watcher (the session ended); later subscriptions are ignored.
    func stop() {
        stopped = true
        for watcher in watchers.values { watcher.cancel() }
        watchers.removeAll()
    }

    /// The URIs watched now.
    var subscribed: [String] { watchers.keys.sorted() }

    private func updated(_ uri: String) async {
        try? await server?.notify(ResourceUpdatedNotification.message(.init(uri: uri)))
    }
}
