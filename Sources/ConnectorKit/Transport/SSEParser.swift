#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An incremental `text/event-stream` parser, exactly per the WHATWG HTML "Server-sent events"
/// interpretation rules: one leading UTF-8 BOM stripped; lines end at CRLF, LF or CR (a CRLF split
/// across two chunks is one line end); `:` lines are comments; a field without a colon has an
/// empty value; one space after the colon is removed; `data` lines are joined with LF; an `id`
/// containing NULL is ignored; `retry` takes ASCII digits only; a blank line dispatches; an event
/// with no data is not dispatched; what is pending at the end of the stream is dropped.
///
/// Sans-IO: feed it bytes in chunks of any size, it hands back events. Lines are found with
/// `memchr`, so a long stream is scanned at memory speed.
public struct SSEParser: Sendable {
    /// The last event ID of the stream (sent back as `Last-Event-ID` on reconnect).
    public private(set) var lastEventID = ""
    /// The reconnection time the server asked for with `retry:`, in milliseconds.
    public private(set) var reconnectionTime: Int?
    /// How many comment lines have been seen (keep-alives count as activity).
    public private(set) var commentCount = 0

    private var partialLine: [UInt8] = []
    private var data: [UInt8] = []
    /// Zero-copy fast path: an event's first data line, still inside the chunk being scanned.
    /// Valid only until `scan` returns; copied into `data` before that if not yet dispatched, so
    /// it is always nil between calls — which is why the parser stays `Sendable`.
    nonisolated(unsafe) private var borrowedData: UnsafeRawBufferPointer?
    private var eventType: [UInt8] = []
    // The last type string made, reused while streams repeat the same few types.
    private var lastTypeBytes: [UInt8] = []
    private var lastType = "message"
    private var idBuffer = ""
    private var skipLeadingLF = false
    private var bomMatched = 0
    private var bomDone = false

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
    private static let colon: UInt8 = 0x3A
    private static let space: UInt8 = 0x20

    /// A parser at the start of a stream.
    public init() {}

    /// A parser for a reconnected stream: the last event ID buffer survives reconnection (spec).
    public init(lastEventID: String) {
        self.lastEventID = lastEventID
        self.idBuffer = lastEventID
    }

    /// Parses a chunk, returning the events it completes.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        feed(bytes) { events.append($0) }
        return events
    }

    /// Parses a chunk, calling `emit` for each event it completes.
    public mutating func feed(_ bytes: some Sequence<UInt8>, emit: (ServerSentEvent) -> Void) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            feed(UnsafeRawBufferPointer(buffer), emit: emit)
        }
        if handled == nil {
            let array = Array(bytes)
            array.withUnsafeBytes { feed($0, emit: emit) }
        }
    }

    /// Parses a chunk of raw bytes, calling `emit` for each event it completes.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, emit: (ServerSentEvent) -> Void) {
        feedBorrowing(chunk) { view in emit(view.makeEvent()) }
    }

    /// Parses a chunk, handing each completed event to `emit` as a view that is valid only during
    /// the call: no allocation per event. Use it where the data is decoded at once (JSON).
    public mutating func feedBorrowing(_ chunk: UnsafeRawBufferPointer, emit: (borrowing SSEEventView) -> Void) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        var start = 0
        let count = chunk.count
        if !bomDone {
            // Match a leading BOM byte by byte, across chunks if need be.
            while start < count, bomMatched < 3, chunk[start] == Self.bom[bomMatched] {
                bomMatched += 1
                start += 1
            }
            if bomMatched == 3 {
                bomDone = true
            } else if start < count {
                // Not a BOM after all: the bytes matched so far are ordinary data.
                bomDone = true
                let matched = Array(Self.bom.prefix(bomMatched))
                if !matched.isEmpty {
                    matched.withUnsafeBytes { scan($0, from: 0, emit: emit) }
                }
            } else {
                return
            }
        }
        scan(UnsafeRawBufferPointer(start: base, count: count), from: start, emit: emit)
    }

    /// Ends the stream: an event not terminated by a blank line is dropped, as the spec requires.
    public mutating func finish() {
        borrowedData = nil
        partialLine.removeAll()
        data.removeAll()
        eventType.removeAll()
        skipLeadingLF = false
    }

    private mutating func scan(_ chunk: UnsafeRawBufferPointer, from offset: Int, emit: (borrowing SSEEventView) -> Void) {
        let base = chunk.baseAddress!
        let count = chunk.count
        var start = offset
        if skipLeadingLF, start < count {
            skipLeadingLF = false
            if chunk[start] == Self.lf { start += 1 }
        }
        while start < count {
            let remaining = count - start
            let lfPointer = memchr(base + start, Int32(Self.lf), remaining)
            let searchLength = lfPointer.map { UnsafeRawPointer($0) - (base + start) } ?? remaining
            let crPointer = memchr(base + start, Int32(Self.cr), searchLength)
            guard let endPointer = crPointer ?? lfPointer else {
                Self.append(UnsafeRawBufferPointer(start: base + start, count: remaining), to: &partialLine)
                spillBorrowedData()
                return
            }
            let end = UnsafeRawPointer(endPointer) - base
            if partialLine.isEmpty {
                processLine(UnsafeRawBufferPointer(start: base + start, count: end - start), inChunk: true, emit: emit)
            } else {
                Self.append(UnsafeRawBufferPointer(start: base + start, count: end - start), to: &partialLine)
                let line = partialLine
                partialLine.removeAll(keepingCapacity: true)
                line.withUnsafeBytes { processLine($0, inChunk: false, emit: emit) }
            }
            if chunk[end] == Self.cr {
                if end + 1 < count {
                    start = chunk[end + 1] == Self.lf ? end + 2 : end + 1
                } else {
                    skipLeadingLF = true
                    start = end + 1
                }
            } else {
                start = end + 1
            }
        }
        spillBorrowedData()
    }

    /// Copies a borrowed data line into `data` before the chunk it points into goes away.
    private mutating func spillBorrowedData() {
        guard let borrowed = borrowedData else { return }
        borrowedData = nil
        Self.append(borrowed, to: &data)
        data.append(Self.lf)
    }

    private mutating func processLine(_ line: UnsafeRawBufferPointer, inChunk: Bool, emit: (borrowing SSEEventView) -> Void) {
        guard let first = line.first else {
            dispatch(emit: emit)
            return
        }
        if first == Self.colon {
            commentCount += 1
            return
        }
        let name: UnsafeRawBufferPointer
        var value: UnsafeRawBufferPointer
        if let colonPointer = memchr(line.baseAddress!, Int32(Self.colon), line.count) {
            let colon = UnsafeRawPointer(colonPointer) - line.baseAddress!
            name = UnsafeRawBufferPointer(rebasing: line[..<colon])
            value = UnsafeRawBufferPointer(rebasing: line[(colon + 1)...])
            if value.first == Self.space { value = UnsafeRawBufferPointer(rebasing: value[1...]) }
        } else {
            name = line
            value = UnsafeRawBufferPointer(start: nil, count: 0)
        }
        switch name.count {
        case 4 where Self.equals(name, "data"):
            if inChunk, data.isEmpty, borrowedData == nil {
                borrowedData = value  // the common single-line event: no copy
            } else {
                spillBorrowedData()
                Self.append(value, to: &data)
                data.append(Self.lf)
            }
        case 5 where Self.equals(name, "event"):
            eventType.removeAll(keepingCapacity: true)
            Self.append(value, to: &eventType)
        case 2 where Self.equals(name, "id"):
            if !value.contains(0) { idBuffer = String(decoding: value, as: UTF8.self) }
        case 5 where Self.equals(name, "retry"):
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                reconnectionTime = value.count > 12 ? Int.max : Int(String(decoding: value, as: UTF8.self))
            }
        default:
            break  // unknown fields are ignored
        }
    }

    private mutating func dispatch(emit: (borrowing SSEEventView) -> Void) {
        lastEventID = idBuffer
        guard !data.isEmpty || borrowedData != nil else {
            eventType.removeAll(keepingCapacity: true)
            return
        }
        let type: String
        if eventType.isEmpty {
            type = "message"
        } else if eventType == lastTypeBytes {
            type = lastType
        } else {
            type = String(decoding: eventType, as: UTF8.self)
            lastTypeBytes = eventType
            lastType = type
        }
        if let borrowed = borrowedData {
            borrowedData = nil
            emit(SSEEventView(type: type, id: lastEventID, dataBytes: borrowed))
        } else {
            if data.last == Self.lf { data.removeLast() }
            data.withUnsafeBytes { bytes in emit(SSEEventView(type: type, id: lastEventID, dataBytes: bytes)) }
            data.removeAll(keepingCapacity: true)
        }
        eventType.removeAll(keepingCapacity: true)
    }

    /// Appends raw bytes with one memcpy (appending a raw buffer as a sequence goes byte by byte).
    @inline(__always)
    private static func append(_ bytes: UnsafeRawBufferPointer, to array: inout [UInt8]) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        array.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: bytes.count))
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ word: StaticString) -> Bool {
        word.withUTF8Buffer { expected in
            expected.count == bytes.count && memcmp(expected.baseAddress!, bytes.baseAddress!, bytes.count) == 0
        }
    }
}
