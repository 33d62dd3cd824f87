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
/// Sans-IO: feed it bytes in chunks of any size, it hands back events. Line ends are read off a
/// per-64-byte bitmask (`LineEndMask`; `LineEndSearch` off x86-64); data and ids stay in the
/// chunk until it is used up, and type names come from a table made once (`SSETypeNames`), so
/// an event on the borrowing path costs no copy, allocation or reference count.
public struct SSEParser: Sendable {
    /// The last event ID of the stream (sent back as `Last-Event-ID` on reconnect).
    public var lastEventID: String { lastEventIDBytes.withBytes { String(decoding: $0, as: UTF8.self) } }
    /// The last event ID as bytes (the parser keeps bytes so that no string is made per event).
    private var lastEventIDBytes = ReusableBytes()
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
    /// The event type buffer, as an index into `typeNames` (0: empty, the event is a `message`).
    private var eventType = 0
    private var typeNames = SSETypeNames()
    // The spec's "last event ID buffer" is `pendingID` when an `id:` field came since the last
    // dispatch, else `lastEventIDBytes`: a dispatch then swaps the two instead of copying.
    private var pendingID = ReusableBytes()
    private var hasPendingID = false
    /// Zero-copy ids, like `borrowedData`: the waiting `id:` value and the last event ID while
    /// they are still inside the chunk being scanned; copied into `pendingID` and
    /// `lastEventIDBytes` before `scan` returns, so they too are nil between calls.
    nonisolated(unsafe) private var borrowedPendingID: UnsafeRawBufferPointer?
    nonisolated(unsafe) private var borrowedLastID: UnsafeRawBufferPointer?
    private var skipLeadingLF = false
    private var bomMatched = 0
    private var bomDone = false

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let lf: UInt8 = 0x0A
    private static let cr: UInt8 = 0x0D
    private static let colon: UInt8 = 0x3A
    private static let space: UInt8 = 0x20

    #if arch(x86_64)
    private typealias LineEnds = LineEndMask
    #else
    private typealias LineEnds = LineEndSearch
    #endif

    /// A parser at the start of a stream.
    public init() {}

    /// A parser for a reconnected stream: the last event ID buffer survives reconnection (spec).
    public init(lastEventID: String) {
        self.lastEventIDBytes = ReusableBytes(lastEventID.utf8)
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
        eventType = 0
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
        var search = LineEnds(base, count: count)
        while start < count {
            guard let end = search.next(from: start) else {
                Self.append(UnsafeRawBufferPointer(start: base + start, count: count - start), to: &partialLine)
                spillBorrowed()
                return
            }
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
        spillBorrowed()
    }

    /// Copies what is borrowed from the chunk into owned buffers before the chunk goes away.
    private mutating func spillBorrowed() {
        if let id = borrowedPendingID {
            borrowedPendingID = nil
            pendingID.set(id)
        }
        if let id = borrowedLastID {
            borrowedLastID = nil
            lastEventIDBytes.set(id)
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

    @inline(__always)
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
        if let colon = Self.firstColon(line) {
            name = UnsafeRawBufferPointer(rebasing: line[..<colon])
            value = UnsafeRawBufferPointer(rebasing: line[(colon + 1)...])
            if value.first == Self.space { value = UnsafeRawBufferPointer(rebasing: value[1...]) }
        } else {
            name = line
            value = UnsafeRawBufferPointer(start: nil, count: 0)
        }
        switch name.count {
        case 4 where Self.word(name) == 0x6174_6164:  // "data"
            if inChunk, data.isEmpty, borrowedData == nil {
                borrowedData = value  // the common single-line event: no copy
            } else {
                spillBorrowedData()
                Self.append(value, to: &data)
                data.append(Self.lf)
            }
        case 5 where Self.word(name) == 0x6E65_7665 && name[4] == 0x74:  // "event"
            eventType = value.isEmpty ? 0 : typeNames.index(of: value)
        case 2 where name[0] == 0x69 && name[1] == 0x64:  // "id"
            if !Self.containsNull(value) {
                if inChunk {
                    borrowedPendingID = value
                } else {
                    borrowedPendingID = nil
                    pendingID.set(value)
                }
                hasPendingID = true
            }
        case 5 where Self.word(name) == 0x7274_6572 && name[4] == 0x79:  // "retry"
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                // Base ten, any number of leading zeros; beyond Int's range it saturates.
                var milliseconds = 0
                for digit in value {
                    let (times, overflowed) = milliseconds.multipliedReportingOverflow(by: 10)
                    let (sum, overflowedAgain) = times.addingReportingOverflow(Int(digit - 0x30))
                    if overflowed || overflowedAgain {
                        milliseconds = Int.max
                        break
                    }
                    milliseconds = sum
                }
                reconnectionTime = milliseconds
            }
        default:
            break  // unknown fields are ignored
        }
    }

    private mutating func dispatch(emit: (borrowing SSEEventView) -> Void) {
        if hasPendingID {
            if let id = borrowedPendingID {
                borrowedPendingID = nil
                borrowedLastID = id
            } else {
                swap(&lastEventIDBytes, &pendingID)
                borrowedLastID = nil
            }
            hasPendingID = false
        }
        guard !data.isEmpty || borrowedData != nil else {
            eventType = 0
            return
        }
        if let id = borrowedLastID {
            emitEvent(id: id, emit: emit)
        } else {
            let owned = lastEventIDBytes
            owned.withBytes { emitEvent(id: $0, emit: emit) }
        }
        eventType = 0
    }

    /// Hands the event whose data is borrowed or in `data` to `emit`, then empties the data buffer.
    @inline(__always)
    private mutating func emitEvent(id: UnsafeRawBufferPointer, emit: (borrowing SSEEventView) -> Void) {
        let type = eventType
        withUnsafePointer(to: &typeNames) { names in
            if let borrowed = borrowedData {
                borrowedData = nil
                emit(SSEEventView(typeNames: names, typeIndex: type, idBytes: id, dataBytes: borrowed))
            } else {
                if data.last == Self.lf { data.removeLast() }
                data.withUnsafeBytes { bytes in emit(SSEEventView(typeNames: names, typeIndex: type, idBytes: id, dataBytes: bytes)) }
                data.removeAll(keepingCapacity: true)
            }
        }
    }

    /// The offset of the first colon. Field names are short: the first eight bytes are searched
    /// as one word (SWAR: a zero byte after XOR with colons), the rest, rarely, with `memchr`.
    @inline(__always)
    private static func firstColon(_ line: UnsafeRawBufferPointer) -> Int? {
        if line.count >= 8 {
            let word = UInt64(littleEndian: line.loadUnaligned(as: UInt64.self)) ^ 0x3A3A_3A3A_3A3A_3A3A
            let zeroBytes = (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
            if zeroBytes != 0 { return zeroBytes.trailingZeroBitCount >> 3 }
            guard let found = memchr(line.baseAddress! + 8, Int32(colon), line.count - 8) else { return nil }
            return UnsafeRawPointer(found) - line.baseAddress!
        }
        for index in 0..<line.count where line[index] == colon { return index }
        return nil
    }

    /// Whether an `id` value contains NULL (the spec then ignores the field).
    @inline(__always)
    private static func containsNull(_ value: UnsafeRawBufferPointer) -> Bool {
        guard value.count > 32 else { return value.contains(0) }
        return memchr(value.baseAddress!, 0, value.count) != nil
    }

    /// Appends raw bytes with one memcpy (appending a raw buffer as a sequence goes byte by byte).
    @inline(__always)
    private static func append(_ bytes: UnsafeRawBufferPointer, to array: inout [UInt8]) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        array.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: bytes.count))
    }

    /// The first four bytes as a little-endian word, to compare field names without a call.
    @inline(__always)
    private static func word(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(as: UInt32.self))
    }
}
