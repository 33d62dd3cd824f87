/// One event dispatched by an `text/event-stream`, as the WHATWG HTML "Server-sent events"
/// interpretation rules define it.
public struct ServerSentEvent: Sendable, Hashable, CustomStringConvertible {
    /// The event type: the last `event:` field, or `message` when there was none.
    public var type: String
    /// The `data:` lines joined with LF.
    public var data: String
    /// The stream's last event ID when the event was dispatched (`""` when none was set).
    public var id: String

    /// Creates an event.
    public init(type: String = "message", data: String, id: String = "") {
        self.type = type
        self.data = data
        self.id = id
    }

    public var description: String { "event \(type) id \(id.isEmpty ? "-" : id) (\(data.utf8.count) bytes)" }
}
