/// One event dispatched by a `text/event-stream`, as the WHATWG HTML "Server-sent events"
/// interpretation rules define it.
///
/// The data is kept as UTF-8 bytes, so a consumer that decodes JSON reads them directly;
/// ``data`` decodes them (invalid sequences become U+FFFD, as the spec's decoder does).
public struct ServerSentEvent: Sendable, Hashable, CustomStringConvertible {
    /// The event type: the last `event:` field, or `message` when there was none.
    public var type: String
    /// The `data:` lines joined with LF, as UTF-8 bytes.
    public var dataBytes: [UInt8]
    /// The stream's last event ID when the event was dispatched (`""` when none was set).
    public var id: String

    /// The data as text.
    public var data: String { String(decoding: dataBytes, as: UTF8.self) }

    /// Creates an event from text data.
    public init(type: String = "message", data: String, id: String = "") {
        self.init(type: type, dataBytes: Array(data.utf8), id: id)
    }

    /// Creates an event from data bytes.
    public init(type: String = "message", dataBytes: [UInt8], id: String = "") {
        self.type = type
        self.dataBytes = dataBytes
        self.id = id
    }

    public var description: String { "event \(type) id \(id.isEmpty ? "-" : id) (\(dataBytes.count) bytes)" }

    /// Events are equal when type, id and the decoded data are (the spec's data is text: an
    /// invalid byte and its U+FFFD replacement are the same data).
    public static func == (lhs: ServerSentEvent, rhs: ServerSentEvent) -> Bool {
        lhs.type == rhs.type && lhs.id == rhs.id && (lhs.dataBytes == rhs.dataBytes || lhs.data == rhs.data)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(id)
        hasher.combine(data)
    }
}

/// An event the parser has just completed, lent to the caller for the duration of one callback
/// (``SSEParser/feedBorrowing(_:emit:)``): its data bytes point into the parser's buffer.
public struct SSEEventView: ~Copyable {
    /// The event type, lent by the parser's table of type names (no reference count per event
    /// unless it is read).
    private let typeNames: UnsafePointer<SSETypeNames>
    private let typeIndex: Int
    /// The event type.
    public var type: String { typeNames.pointee.names[typeIndex] }
    /// The stream's last event ID as UTF-8 bytes, valid only during the callback.
    public let idBytes: UnsafeRawBufferPointer
    /// The data bytes, valid only during the callback.
    public let dataBytes: UnsafeRawBufferPointer

    init(typeNames: UnsafePointer<SSETypeNames>, typeIndex: Int, idBytes: UnsafeRawBufferPointer, dataBytes: UnsafeRawBufferPointer) {
        self.typeNames = typeNames
        self.typeIndex = typeIndex
        self.idBytes = idBytes
        self.dataBytes = dataBytes
    }

    /// The stream's last event ID.
    public var id: String { String(decoding: idBytes, as: UTF8.self) }

    /// An owned copy of the event.
    public func makeEvent() -> ServerSentEvent {
        ServerSentEvent(type: type, dataBytes: Array(dataBytes), id: id)
    }
}
