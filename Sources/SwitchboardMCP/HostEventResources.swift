import ConnectorKit
import Foundation
import MCP

/// The events of one handoff or ticket as MCP resources: `switchboard://events/{subject}` reads
/// them (a JSON page of API v1 `Event`s, like `/v1/events/poll`; `?after=N` for those after a
/// cursor), and a subscription sends `notifications/resources/updated` whenever one arrives, so an
/// assistant learns of an agent's reply without calling a tool.
public struct HostEventResources: Sendable {
    /// The template clients see.
    public static let uriTemplate = "switchboard://events/{subject}"
    static let prefix = "switchboard://events/"

    let api: HostAPIClient

    /// Resources over the API at `api`.
    public init(api: HostAPIClient) { self.api = api }

    /// The resource template (the resources themselves are one per handoff or ticket, made as they happen).
    static let template = Resource.Template(
        uriTemplate: uriTemplate, name: "events", title: "Events of a handoff or ticket",
        description: "API v1 events (CloudEvents JSON) about one handoff or ticket id, oldest first: {\"events\":[…],\"next\":N}. "
            + "Append ?after=N for those after a cursor. Subscribe to be notified when a new one arrives (an agent's reply, a status change).",
        mimeType: "application/json")

    /// The subject and cursor a URI names, or nil when it is not one of ours.
    static func parse(_ uri: String) -> (subject: String, after: Int64)? {
        guard uri.hasPrefix(prefix) else { return nil }
        let rest = uri.dropFirst(prefix.count)
        let parts = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard let encoded = parts.first, !encoded.isEmpty, let subject = String(encoded).removingPercentEncoding, !subject.isEmpty else { return nil }
        var after: Int64 = 0
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") where pair.hasPrefix("after=") {
                guard let value = Int64(pair.dropFirst(6)), value >= 0 else { return nil }
                after = value
            }
        }
        return (subject, after)
    }

    /// One page of the events `uri` names.
    func read(_ uri: String) async throws -> ReadResource.Result {
        guard let (subject, after) = Self.parse(uri) else {
            throw MCPError.invalidParams("not a Switchboard resource: \(uri) (expected \(Self.uriTemplate))")
        }
        let (status, body) = try await api.send(.init(method: "GET", path: "/v1/events/poll",
                                                      query: [("after", String(after)), ("subject", subject), ("limit", "500")]))
        guard status == 200 else { throw MCPError.internalError("the host's /v1/events/poll answered HTTP \(status): \(String(decoding: body, as: UTF8.self))") }
        return ReadResource.Result(contents: [.text(String(decoding: body, as: UTF8.self), uri: uri, mimeType: "application/json")])
    }

    /// The cursor past everything about `subject` now (new events come after it).
    func cursor(_ subject: String) async throws -> Int64 {
        try await page(subject: subject, after: nil, wait: 0).next
    }

    /// Waits (long polling, up to `wait` seconds) for events about `subject` after `after`.
    func page(subject: String, after: Int64?, wait: Int) async throws -> (count: Int, next: Int64) {
        var query = [("subject", subject), ("wait", String(wait)), ("limit", "500")]
        if let after { query.append(("after", String(after))) }
        let (status, body) = try await api.send(.init(method: "GET", path: "/v1/events/poll", query: query))
        guard status == 200, let json = try? JSONParser.parse(body), case .array(let events)? = json["events"],
              case .integer(let next)? = json["next"] else {
            throw MCPError.internalError("the host's /v1/events/poll answered HTTP \(status)")
        }
        return (events.count, next)
    }
}
