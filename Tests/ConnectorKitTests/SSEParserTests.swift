@testable import ConnectorKit
import Testing

/// Every case is fed whole, split at every byte position, and one byte at a time; all must give
/// the same events (swift-nio's decoder-verifier idea).
@Suite("SSE parser: WHATWG interpretation rules at every byte split")
struct SSEParserTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let input: [UInt8]
        let events: [ServerSentEvent]
        var lastEventID = ""
        var retry: Int?
        var testDescription: String { name }

        init(_ name: String, _ text: String, _ events: [ServerSentEvent], lastEventID: String = "", retry: Int? = nil) {
            self.init(name, Array(text.utf8), events, lastEventID: lastEventID, retry: retry)
        }

        init(_ name: String, _ bytes: [UInt8], _ events: [ServerSentEvent], lastEventID: String = "", retry: Int? = nil) {
            self.name = name
            self.input = bytes
            self.events = events
            self.lastEventID = lastEventID
            self.retry = retry
        }
    }

    static let cases: [Case] = [
        // The spec's own examples.
        Case("spec: three messages, one with two lines",
             "data: This is the first message.\n\ndata: This is the second message, it\ndata: has two lines.\n\ndata: This is the third message.\n\n",
             [.init(data: "This is the first message."), .init(data: "This is the second message, it\nhas two lines."),
              .init(data: "This is the third message.")]),
        Case("spec: event types", "event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n",
             [.init(type: "add", data: "73857293"), .init(type: "remove", data: "2153"), .init(type: "add", data: "113411")]),
        Case("spec: comment, id and an event with no data line", ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n",
             [.init(data: "first event", id: "1"), .init(data: "second event", id: "")], lastEventID: ""),
        Case("spec: empty data fields", "data\n\ndata\ndata\n\ndata:\n", [.init(data: ""), .init(data: "\n")]),
        Case("spec: one space stripped, not two", "data:test\n\ndata: test\n\ndata:  test\n\n",
             [.init(data: "test"), .init(data: "test"), .init(data: " test")]),
        // Line ends.
        Case("CRLF line ends", "event: a\r\ndata: 1\r\n\r\n", [.init(type: "a", data: "1")]),
        Case("CR line ends", "data: 1\rdata: 2\r\r", [.init(data: "1\n2")]),
        Case("mixed line ends", "data: 1\r\ndata: 2\rdata: 3\n\r\n", [.init(data: "1\n2\n3")]),
        Case("CR then LF is one line end, LF then CR are two", "data: a\n\rdata: b\r\n\n", [.init(data: "a"), .init(data: "b")]),
        // BOM.
        Case("leading BOM stripped", [0xEF, 0xBB, 0xBF] + Array("data: x\n\n".utf8), [.init(data: "x")]),
        Case("only one BOM stripped", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("data: x\n\n".utf8), []),
        Case("a BOM prefix that is not a BOM", [0xEF, 0xBB] + Array(":c\ndata: y\n\n".utf8), [.init(data: "y")]),
        // Fields.
        Case("field without a colon", "data\nevent\n\n", [.init(data: "")]),
        Case("unknown fields are ignored", "foo: bar\ndata: x\nfoo\n\n", [.init(data: "x")]),
        Case("id persists across events", "id: 7\ndata: a\n\ndata: b\n\n", [.init(data: "a", id: "7"), .init(data: "b", id: "7")], lastEventID: "7"),
        Case("id with NULL is ignored", "id: 1\ndata: a\n\nid: 2\u{0}x\ndata: b\n\n", [.init(data: "a", id: "1"), .init(data: "b", id: "1")], lastEventID: "1"),
        Case("id set by a block without data", "id: 9\n\ndata: later\n\n", [.init(data: "later", id: "9")], lastEventID: "9"),
        Case("ids change, persist and reset across events",
             "id: 1\ndata: a\n\nid: 22\nid: 23\ndata: b\n\ndata: c\n\nid\ndata: d\n\nid: 4\n\nevent: x\ndata: e\n\n",
             [.init(data: "a", id: "1"), .init(data: "b", id: "23"), .init(data: "c", id: "23"), .init(data: "d", id: ""),
              .init(type: "x", data: "e", id: "4")], lastEventID: "4"),
        Case("retry digits", "retry: 3000\n\n", [], retry: 3000),
        Case("retry with non-digits ignored", "retry: 3000\nretry: 10s\nretry: -1\nretry:\n\n", [], retry: 3000),
        // Found by the sse fuzz target against the spec-literal reference: 13+ digits were taken as
        // "too large" (Int.max) without reading them, so leading zeros made a small value huge.
        Case("retry with leading zeros is base ten", "retry: 0000000000001\n\n", [], retry: 1),
        Case("retry beyond Int saturates", "retry: 99999999999999999999999\n\n", [], retry: Int.max),
        Case("event type resets after dispatch", "event: a\ndata: 1\n\ndata: 2\n\n", [.init(type: "a", data: "1"), .init(data: "2")]),
        Case("event without data does not dispatch and resets the type", "event: a\n\ndata: 2\n\n", [.init(data: "2")]),
        Case("comments only", ":\n: keep-alive\n:ping\n\n", []),
        // End of stream.
        Case("incomplete event at the end is dropped", "data: done\n\ndata: half", [.init(data: "done")]),
        Case("an unterminated line is not processed", "data: done\n\nid: 5", [.init(data: "done")], lastEventID: ""),
        // Encoding.
        Case("invalid UTF-8 becomes U+FFFD", Array("data: a".utf8) + [0xFF] + Array("b\n\n".utf8), [.init(data: "a\u{FFFD}b")]),
        Case("multi-byte characters", "data: grüße 👋\n\n", [.init(data: "grüße 👋")]),
        Case("Enhanced Messaging shape", "id: 171\nevent: CONVERSATION_MESSAGE\ndata: {\"conversationId\":\"c1\",\"text\":\"Hi\"}\n\n:ping\n\n",
             [.init(type: "CONVERSATION_MESSAGE", data: #"{"conversationId":"c1","text":"Hi"}"#, id: "171")], lastEventID: "171"),
    ]

    static func run(_ chunks: [ArraySlice<UInt8>]) -> (events: [ServerSentEvent], parser: SSEParser) {
        var parser = SSEParser()
        var events: [ServerSentEvent] = []
        for chunk in chunks { events += parser.feed(chunk) }
        parser.finish()
        return (events, parser)
    }

    @Test(arguments: cases)
    func everySplitGivesTheSameEvents(_ testCase: Case) {
        let bytes = testCase.input
        let whole = Self.run([bytes[...]])
        #expect(whole.events == testCase.events, "whole input")
        #expect(whole.parser.lastEventID == testCase.lastEventID)
        #expect(whole.parser.reconnectionTime == testCase.retry)
        for split in 0...bytes.count {
            let result = Self.run([bytes[..<split], bytes[split...]])
            #expect(result.events == testCase.events, "split at byte \(split)")
            #expect(result.parser.lastEventID == testCase.lastEventID, "split at byte \(split)")
        }
        let byteByByte = Self.run(bytes.indices.map { bytes[$0...$0] })
        #expect(byteByByte.events == testCase.events, "one byte at a time")
        #expect(byteByByte.parser.reconnectionTime == testCase.retry)
    }

    @Test func everyPairOfSplitsOnAMixedStream() {
        let bytes = Array("\u{FEFF}id: 1\r\nevent: x\rdata: a\r\n: c\ndata: b\n\r\nretry: 5\n\n".utf8)
        let expected = Self.run([bytes[...]]).events
        #expect(expected == [.init(type: "x", data: "a\nb", id: "1")])
        for i in 0...bytes.count {
            for j in i...bytes.count {
                #expect(Self.run([bytes[..<i], bytes[i..<j], bytes[j...]]).events == expected, "splits at \(i), \(j)")
            }
        }
    }

    @Test func countsComments() {
        var parser = SSEParser()
        _ = parser.feed(Array(":ping\n:ping\n\n".utf8))
        #expect(parser.commentCount == 2)
    }
}

@Suite("SSE parser: the line-end searches")
struct SSELineEndTests {
    /// Every line end of `bytes`, found by asking each search for the next one after the last.
    private static func lineEnds<Search>(_ bytes: [UInt8], _ make: (UnsafeRawPointer, Int) -> Search, _ next: (inout Search, Int) -> Int?) -> [Int] {
        bytes.withUnsafeBytes { buffer in
            var search = make(buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, buffer.count)
            var found: [Int] = []
            var start = 0
            while let end = next(&search, start) {
                found.append(end)
                start = end + 1
            }
            return found
        }
    }

    private static func searches(_ bytes: [UInt8]) -> [(name: String, ends: [Int])] {
        var results = [("memchr", lineEnds(bytes, { LineEndSearch($0, count: $1) }, { $0.next(from: $1) }))]
        #if arch(x86_64)
        results.append(("SSE2 mask", lineEnds(bytes, { LineEndMask($0, count: $1) }, { $0.next(from: $1) })))
        #endif
        return results
    }

    /// Every length from 0 to 200, a CR or LF at every position (or none), with bytes that differ
    /// from CR/LF by one bit around it: each search finds exactly the line ends there are.
    @Test func findsEveryCROrLFAtEveryPosition() {
        for length in 0...200 {
            var bytes = [UInt8](repeating: 0x0C, count: length)  // form feed: one bit from CR
            for index in 0..<length where index % 3 == 0 { bytes[index] = 0x0B }  // vertical tab: one bit from LF
            for (name, ends) in Self.searches(bytes) where !ends.isEmpty {
                Issue.record("\(name), length \(length): found \(ends) in a buffer without line ends")
            }
            for position in 0..<length {
                for end: UInt8 in [0x0A, 0x0D] {
                    var withEnd = bytes
                    withEnd[position] = end
                    if position + 1 < length { withEnd[length - 1] = 0x0A }
                    let expected = withEnd.indices.filter { withEnd[$0] == 0x0A || withEnd[$0] == 0x0D }
                    for (name, ends) in Self.searches(withEnd) where ends != expected {
                        Issue.record("\(name), length \(length), \(end) at \(position): found \(ends), expected \(expected)")
                    }
                }
            }
        }
    }

    /// Random buffers dense and sparse in CR, LF and CRLF, across many 64-byte blocks.
    @Test func agreeWithAByteScanOnRandomBuffers() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<300 {
            let length = Int.random(in: 0...1_000, using: &generator)
            let density = [2, 10, 80, 500][round % 4]
            let bytes = (0..<length).map { _ -> UInt8 in
                switch Int.random(in: 0..<density, using: &generator) {
                case 0: return Bool.random(using: &generator) ? 0x0A : 0x0D
                default: return UInt8.random(in: 0x20...0x7E, using: &generator)
                }
            }
            let expected = bytes.indices.filter { bytes[$0] == 0x0A || bytes[$0] == 0x0D }
            for (name, ends) in Self.searches(bytes) where ends != expected {
                Issue.record("\(name): \(bytes.count) bytes, found \(ends.count) line ends, expected \(expected.count)")
            }
        }
    }
}

@Suite("SSE parser: event type names")
struct SSETypeNamesTests {
    /// Names that share their first eight bytes, their length, or both, and more names than the
    /// table keeps: every event still carries its own type.
    @Test func keepsEveryTypeApart() {
        let types = ["CONVERSATION_MESSAGE", "CONVERSATION_MESSAGF", "CONVERSATION_ROUTING_RESULT", "CONVERSA", "CONVERSB",
                     "a", "b", "ab", "é", "CONVERSATION_TYPING_STOPPED_INDICATOR"] + (0..<50).map { "type-\($0)" }
        var stream = ""
        for round in 0..<3 {
            for (index, type) in types.enumerated() { stream += "event: \(type)\ndata: \(round)-\(index)\n\n" }
        }
        stream += "data: plain\n\n"
        var parser = SSEParser()
        let events = parser.feed(Array(stream.utf8))
        var expected: [ServerSentEvent] = []
        for round in 0..<3 {
            for (index, type) in types.enumerated() { expected.append(ServerSentEvent(type: type, data: "\(round)-\(index)")) }
        }
        expected.append(ServerSentEvent(data: "plain"))
        #expect(events == expected)
    }
}
