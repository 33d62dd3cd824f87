import Foundation

/// An event type a module declares itself, for features the host does not know: its type name is
/// namespaced by the module (`zendesk.sla_breached`) and its data is any JSON object the module
/// documents. The host stores and streams it like its own events (`/v1/events`), never interpreting it.
public struct ModuleEvent: Sendable, Hashable {
    /// The type name: `<module>.<event>`, lowercase, `-`/`_` allowed (`zendesk.sla_breached`).
    public let type: String
    /// What it is about (a ticket or handoff id, say), for per-subject streams.
    public let subject: String?
    /// The payload.
    public let data: JSONValue

    /// Creates an event.
    /// - Throws: ``ConnectorError/Code/invalidRequest`` for a type name that is not namespaced, or
    ///   that takes one of the host's own namespaces (`ticket.`, `handoff.`).
    public init(type: String, subject: String? = nil, data: JSONValue) throws(ConnectorError) {
        guard type.range(of: "^[a-z][a-z0-9-]*\\.[a-z][a-z0-9_.-]*$", options: .regularExpression) != nil else {
            throw .invalidRequest("event type '\(type)' must be <module>.<event> in lowercase, like zendesk.sla_breached", field: "type")
        }
        guard !type.hasPrefix("ticket."), !type.hasPrefix("handoff.") else {
            throw .invalidRequest("event type '\(type)' uses the host's own namespace; prefix it with the module's name", field: "type")
        }
        self.type = type
        self.subject = subject
        self.data = data
    }
}
