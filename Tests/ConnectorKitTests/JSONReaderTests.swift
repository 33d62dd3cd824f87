import ConnectorKit
import Testing

@Suite("JSON pull reader")
struct JSONReaderTests {
    /// Rebuilds a value through the reader's object and array walks (scalars through `readValue`).
    static func rebuild(_ reader: inout JSONReader) throws(JSONParser.Failure) -> JSONValue {
        switch reader.peek() {
        case .object:
            var members: [JSONMember] = []
            try reader.readObject { (name, reader) throws(JSONParser.Failure) in members.append(JSONMember(name.name, try rebuild(&reader))) }
            return .object(members)
        case .array:
            var items: [JSONValue] = []
            try reader.readArray { (reader) throws(JSONParser.Failure) in items.append(try rebuild(&reader)) }
            return .array(items)
        default:
            return try reader.readValue()
        }
    }

    /// What the reader makes of `bytes` three ways: rebuilt, skipped whole, and walked with every
    /// member and element left unread. Nil when it refuses them.
    static func readings(_ bytes: [UInt8]) -> (rebuilt: JSONValue?, skipped: Bool, walked: Bool) {
        let rebuilt = try? JSONReader.read(bytes) { (reader) throws(JSONParser.Failure) in try rebuild(&reader) }
        let skipped = (try? JSONReader.read(bytes) { _ -> Void in }) != nil
        let walked = (try? JSONReader.read(bytes) { (reader) throws(JSONParser.Failure) -> Void in
            switch reader.peek() {
            case .object: try reader.readObject { _, _ in }
            case .array: try reader.readArray { _ in }
            default: break
            }
        }) != nil
        return (rebuilt, skipped, walked)
    }

    static let documents: [String] = [
        #"{"b":1,"a":1.5,"c":"x\u00e9\n","d":[true,null,-0],"e":1e3,"f":"1767225600"}"#,
        #" { "totalSize" : 2 , "done" : true , "records" : [ { "attributes" : { "type" : "Contact" } , "Id" : "003" } , { } ] } "#,
        #"{"\u0049d":"escaped key","zoë":"non-ASCII key","":"empty key","a\"b":[[],{},[{}]]}"#,
        #"["日本","zoë","\ud83d\ude00","",-12.5e-3,0,1E+2,false]"#,
        "true", "false", " null ", "\"s\"", "-0.0", "[]", "{}",
        String(repeating: "[", count: 63) + String(repeating: "]", count: 63),
        String(repeating: "[", count: 64) + String(repeating: "]", count: 64),
        String(repeating: "{\"a\":", count: 64) + "1" + String(repeating: "}", count: 64),
        "{", "{\"a\":}", "[1,]", "01", "\"\\x\"", "{\"a\":1}x", "\"a\u{1}\"", "tru", "nul", "fals", "falsy", "trUe",
        "[true,nulL]", "[false ,  nul]", "t", "truex", "{\"a\" 1}", "{\"a\":1,}", "{1:2}", "[1 2]", "\"\\ud800\"", "\"\\u12\"",
        "-", "1.", "1e", "+1", "{\"a\":[1,{\"b\":]}}", "",
    ]

    @Test func agreesWithTheParserOnEveryDocument() {
        for text in Self.documents {
            let bytes = Array(text.utf8)
            let parsed = try? JSONParser.parse(bytes)
            let (rebuilt, skipped, walked) = Self.readings(bytes)
            #expect(rebuilt == parsed, "\(text)")
            #expect(skipped == (parsed != nil), "\(text)")
            #expect(walked == (parsed != nil), "\(text)")
        }
    }

    /// Every prefix of a valid document and thousands of one-byte changes: the reader, skipping
    /// or rebuilding, accepts exactly what the parser accepts, and rebuilds what it parses.
    @Test func agreesWithTheParserOnTruncationsAndMutations() {
        var generator = SplitMix(seed: 7)
        let significant = Array(#"{}[]:,"\ -.eE0123456789tfnulx"#.utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xFF]
        var checked = 0
        for text in Self.documents {
            let bytes = Array(text.utf8)
            var variants: [[UInt8]] = (0..<bytes.count).map { Array(bytes[..<$0]) }
            for _ in 0..<200 where !bytes.isEmpty {
                var changed = bytes
                changed[Int(generator.next() % UInt64(bytes.count))] = significant[Int(generator.next() % UInt64(significant.count))]
                variants.append(changed)
            }
            for variant in variants {
                let parsed = try? JSONParser.parse(variant)
                let (rebuilt, skipped, walked) = Self.readings(variant)
                #expect(rebuilt == parsed, "\(variant)")
                #expect(skipped == (parsed != nil), "\(variant)")
                #expect(walked == (parsed != nil), "\(variant)")
                checked += 1
            }
        }
        #expect(checked > 5_000)
    }

    @Test func bytesThatAreNotUTF8AreRefusedEvenWhenSkipped() {
        for bad: [UInt8] in [[0xC3, 0x28], [0x80], [0xC0, 0xAF], [0x61, 0xE2, 0x82]] {
            let value: [UInt8] = [0x22] + bad + [0x22]
            let member = Array(#"{"skipped":"#.utf8) + value + [UInt8(ascii: "}")]
            let key = [UInt8(ascii: "{")] + value + Array(#":1}"#.utf8)
            for text in [value, member, key] {
                let (rebuilt, skipped, walked) = Self.readings(text)
                #expect(rebuilt == nil && !skipped && !walked)
            }
        }
    }

    /// Found by the json fuzz target (Fuzz/Crashes/json/number-out-of-range): a number beyond
    /// Double's range was read as infinity, where JSONSerialization refuses it. Refused now — by
    /// the parser and by a reader skipping it; a number that underflows is still zero.
    @Test func numbersBeyondDoublesRangeAreRefusedEvenWhenSkipped() throws {
        let huge = "1" + String(repeating: "0", count: 400)
        for number in ["1e400", "-1e400", "6.02214076e254775808", "1.7976931348623159e308", huge, "-" + huge] {
            for text in [number, "[\(number)]", #"{"skipped":\#(number)}"#] {
                let (rebuilt, skipped, walked) = Self.readings(Array(text.utf8))
                #expect(rebuilt == nil && !skipped && !walked, "\(text)")
            }
        }
        #expect(try JSONParser.parse("[1e-400, -1e-400, 4.9e-324, 1.7976931348623157e308]") == .array([.number(0), .number(-0.0), .number(.leastNonzeroMagnitude), .number(.greatestFiniteMagnitude)]))
    }

    /// Found by the json fuzz target (Fuzz/Crashes/json/unicode-escape-with-sign): `\u+000` was
    /// read as U+0000 (the hex conversion took a sign). Four hex digits or nothing.
    @Test func unicodeEscapesTakeFourHexDigitsExactly() throws {
        for escape in [#"\u+000"#, #"\u-001"#, #"\u 123"#, #"\u12g4"#, #"\u12"#, #"\u0x12"#] {
            for text in ["\"\(escape)\"", "{\"\(escape)\":1}", "[\"\(escape)\"]"] {
                let (rebuilt, skipped, walked) = Self.readings(Array(text.utf8))
                #expect(rebuilt == nil && !skipped && !walked, "\(text)")
            }
        }
        #expect(try JSONParser.parse(#""\u00e9\u00E9\uFFFF""#) == .string("éé\u{FFFF}"))
    }

    @Test func namesMatchInPlaceAndEscaped() throws {
        let text = Array(#"{"Id":1,"\u0049d":2,"Ids":3,"I":4,"zoë":5,"Zoë":6}"#.utf8)
        let matches = try JSONReader.read(text) { (reader) throws(JSONParser.Failure) -> [String] in
            var found: [String] = []
            try reader.readObject { (name, reader) throws(JSONParser.Failure) in
                let value = try reader.readValue()
                if name == "Id" { found.append("Id=\(value)") }
                if name.matches("zoë") { found.append("zoë=\(value)") }
                if name.matches("I") { found.append("I=\(value)") }
            }
            return found
        }
        #expect(matches == ["Id=1", "Id=2", "I=4", "zoë=5"])
    }

    @Test func readStringTakesStringsAndNullOnly() throws {
        let values = try JSONReader.read(Array(#"["a",null,"\n"]"#.utf8)) { (reader) throws(JSONParser.Failure) -> [String?] in
            var values: [String?] = []
            try reader.readArray { (reader) throws(JSONParser.Failure) in values.append(try reader.readString()) }
            return values
        }
        #expect(values == ["a", nil, "\n"])
        for other in ["1", "true", "[]", "{}"] {
            #expect(throws: JSONParser.Failure.self) { try JSONReader.read(Array(other.utf8)) { (reader) throws(JSONParser.Failure) in _ = try reader.readString() } }
        }
    }

    @Test func containersOfTheWrongKindAreErrors() {
        #expect(throws: JSONParser.Failure.self) { try JSONReader.read(Array("[1]".utf8)) { (reader) throws(JSONParser.Failure) in try reader.readObject { _, _ in } } }
        #expect(throws: JSONParser.Failure.self) { try JSONReader.read(Array("{}".utf8)) { (reader) throws(JSONParser.Failure) in try reader.readArray { _ in } } }
    }
}

/// A small seeded generator (SplitMix64), so failures reproduce.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
