/// The WHATWG HTML "Server-sent events" interpretation, written as literally as the spec reads
/// (§9.2.6 "Interpreting an event stream"), for the differential fuzz target: no speed, no
/// buffers kept between chunks — the whole stream at once.
struct SSEReference {
    /// An event as dispatched: type, data, and the last event ID string at dispatch.
    struct Event: Hashable {
        var type: String
        var data: String
        var id: String
    }

    var events: [Event] = []
    var lastEventID = ""
    var reconnectionTime: Int?

    /// Interprets a complete stream (what is pending at its end is dropped).
    init(stream bytes: [UInt8]) {
        // "The stream must then be parsed by … the UTF-8 decode algorithm", which strips one BOM.
        var scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        if scalars.first == "\u{FEFF}", bytes.starts(with: [0xEF, 0xBB, 0xBF]) { scalars.removeFirst() }
        var data = "", eventType = "", lastEventIDBuffer = ""
        var line = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            guard scalar == "\r" || scalar == "\n" else {
                line.append(scalar)
                continue
            }
            // CRLF, LF or CR ends a line.
            if scalar == "\r", index < scalars.count, scalars[index] == "\n" { index += 1 }
            let text = String(line)
            line = String.UnicodeScalarView()
            if text.isEmpty {
                // Dispatch the event.
                lastEventID = lastEventIDBuffer
                if data.isEmpty {
                    eventType = ""
                    continue
                }
                if data.hasSuffix("\n") { data.removeLast() }
                events.append(Event(type: eventType.isEmpty ? "message" : eventType, data: data, id: lastEventID))
                data = ""
                eventType = ""
            } else if text.unicodeScalars.first == ":" {
                continue
            } else {
                let field: String, value: String
                if let colon = text.unicodeScalars.firstIndex(of: ":") {
                    field = String(text.unicodeScalars[..<colon])
                    var rest = text.unicodeScalars[text.unicodeScalars.index(after: colon)...]
                    if rest.first == " " { rest.removeFirst() }
                    value = String(rest)
                } else {
                    field = text
                    value = ""
                }
                switch field {
                case "event": eventType = value
                case "data": data += value + "\n"
                case "id": if !value.unicodeScalars.contains("\u{0}") { lastEventIDBuffer = value }
                case "retry":
                    // Only ASCII digits; a value beyond Int's range saturates (the spec's integer is unbounded).
                    if !value.isEmpty, value.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) { reconnectionTime = Int(value) ?? Int.max }
                default: break
                }
            }
        }
    }
}
