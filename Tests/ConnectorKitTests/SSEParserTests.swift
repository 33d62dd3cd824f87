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
        Case("retry digits", "retry: 3000\n\n", [], retry: 3000),
        Case("retry with non-digits ignored", "retry: 3000\nretry: 10s\nretry: -1\nretry:\n\n", [], retry: 3000),
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

@Suite("SSE parser: the SIMD line-end search")
struct SSELineEndTests {
    /// Every length from 0 to 200, a CR or LF at every position (or none), with bytes that differ
    /// from CR/LF by one bit around it: the search finds exactly the first line end.
    @Test func findsTheFirstCROrLFAtEveryPosition() {
        for length in 0...200 {
            var bytes = [UInt8](repeating: 0x0C, count: length)  // form feed: one bit from CR
            for index in 0..<length where index % 3 == 0 { bytes[index] = 0x0B }  // vertical tab: one bit from LF
            #expect(bytes.withUnsafeBytes { SSEParser.lineEnd($0.baseAddress ?? UnsafeRawPointer(bitPattern: 8)!, length) } == nil)
            for position in 0..<length {
                for end: UInt8 in [0x0A, 0x0D] {
                    var withEnd = bytes
                    withEnd[position] = end
                    if position + 1 < length { withEnd[length - 1] = 0x0A }
                    let found = withEnd.withUnsafeBytes { SSEParser.lineEnd($0.baseAddress!, length) }
                    if found != position { Issue.record("length \(length), \(end) at \(position): found \(String(describing: found))") }
                }
            }
        }
    }
}
