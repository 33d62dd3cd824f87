import ConnectorKit
import Foundation

/// The event types of API v1 and their data, each name declared here — never derived from a Swift
/// identifier, so renaming a case cannot change the public API. Every type has a JSON Schema in
/// openapi.yaml (`components.schemas`, named in ``schemaName(of:)``); a test checks each emitted event
/// against it.
public enum EventCatalog {
    /// The built-in event types, in the order openapi.yaml lists them.
    public static let types = [
        "ticket.status_changed", "ticket.comment_added",
        "handoff.queued", "handoff.routing_failed", "handoff.agent_joined", "handoff.agent_left", "handoff.agent_message",
        "handoff.typing_started", "handoff.typing_stopped", "handoff.ended_by_agent", "handoff.session_ended", "handoff.closed",
    ]

    /// What the log stores for an event: its type, its data (a flat JSON object), what it is about,
    /// and when it happened.
    public struct Entry: Sendable, Hashable {
        /// The declared type (`handoff.agent_message`), or a module's own (`payroll.run_finished`).
        public var type: String
        /// The data object.
        public var data: JSONValue
        /// The handoff or ticket id (or a module event's subject).
        public var subject: String?
        /// When it happened at the source (an entry's time, a Case's modstamp).
        public var time: Date?
    }

    /// The log entry of a connector's event.
    public static func entry(_ payload: ConnectorEvent.Payload) -> Entry {
        switch payload {
        case .ticket(let event):
            var data: [JSONMember] = [JSONMember("ticketId", .string(event.ticketId))]
            if let email = event.requesterEmail { data.append(JSONMember("requesterEmail", .string(email))) }
            let type: String
            switch event.kind {
            case .statusChanged(let from, let to):
                type = "ticket.status_changed"
                data.append(JSONMember("from", from.map(JSONValue.string) ?? .null))
                data.append(JSONMember("to", .string(to)))
            case .publicCommentAdded(let comment):
                type = "ticket.comment_added"
                data.append(JSONMember("comment", .object([
                    JSONMember("id", .string(comment.id)), JSONMember("body", .string(comment.body)), JSONMember("isPublic", .bool(comment.isPublic)),
                    JSONMember("author", .string(comment.author.rawValue)), JSONMember("createdAt", .string(timestamp(comment.createdAt))),
                ])))
            }
            return Entry(type: type, data: .object(data), subject: event.ticketId, time: event.occurredAt)
        case .handoff(let event):
            var data: [JSONMember] = [JSONMember("handoffId", .string(event.handoffId)), JSONMember("entryId", .string(event.entryId))]
            let type: String
            switch event.kind {
            case .queued(let wait):
                type = "handoff.queued"
                data.append(JSONMember("estimatedWaitSeconds", wait.map { .integer(Int64($0)) } ?? .null))
            case .routingFailed(let reason):
                type = "handoff.routing_failed"
                data.append(JSONMember("reason", .string(reason)))
            case .agentJoined(let name):
                type = "handoff.agent_joined"
                data.append(JSONMember("displayName", .string(name)))
            case .agentLeft(let name):
                type = "handoff.agent_left"
                data.append(JSONMember("displayName", .string(name)))
            case .agentMessage(let text, let sender):
                type = "handoff.agent_message"
                data.append(JSONMember("text", .string(text)))
                data.append(JSONMember("senderDisplayName", sender.map(JSONValue.string) ?? .null))
            case .typingStarted: type = "handoff.typing_started"
            case .typingStopped: type = "handoff.typing_stopped"
            case .endedByAgent: type = "handoff.ended_by_agent"
            case .sessionEnded(let who):
                type = "handoff.session_ended"
                data.append(JSONMember("endedBy", .string(who.rawValue)))
            case .closed(let reason):
                type = "handoff.closed"
                if let reason { data.append(JSONMember("reason", .string(reason))) }
            }
            return Entry(type: type, data: .object(data), subject: event.handoffId, time: event.occurredAt)
        case .module(let event):
            return Entry(type: event.type, data: event.data, subject: event.subject, time: nil)
        }
    }

    /// The openapi.yaml schema of an event type's data (`HandoffAgentMessageData`); module event types
    /// share `ModuleEventData`.
    public static func schemaName(of type: String) -> String {
        guard types.contains(type) else { return "ModuleEventData" }
        return type.split(whereSeparator: { $0 == "." || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "Data"
    }

    /// RFC 3339 with `Z`, whole seconds or milliseconds when there are any (every streamed event
    /// formats one: the styles are made once).
    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let rounded = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return milliseconds % 1000 == 0 ? rounded.formatted(wholeSeconds) : rounded.formatted(withMilliseconds)
    }

    private static let wholeSeconds = Date.ISO8601FormatStyle()
    private static let withMilliseconds = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
