import ConnectorKit
import Foundation
@_spi(Fuzzing) import SalesforceConnector

/// `JSONParser` against Foundation's `JSONSerialization`, and `JSONReader` against `JSONParser`.
enum JSONTargets {
    /// Same accept/reject and the same values as `JSONSerialization` (numbers compared exactly),
    /// except where RFC 8259 leaves the choice to the parser: a leading byte order mark or a
    /// UTF-16/32 text (JSONSerialization detects encodings; JSONParser reads UTF-8 only, as the RFC
    /// requires of networked JSON), and nesting deeper than JSONParser's limit of 64.
    ///
    /// One disagreement is JSONSerialization's, and allowed for: swift-corelibs-foundation accepts
    /// a trailing comma (`[1,]`, `{"a":1,}`), which RFC 8259's grammar does not have — JSONParser
    /// is right to refuse it (found by this target; see ``isTrailingComma(_:at:)``).
    static func differential(_ input: [UInt8]) throws(FuzzFinding) {
        if input.starts(with: [0xEF, 0xBB, 0xBF]) || input.prefix(4).contains(0) { return }
        let ours: JSONValue?
        var failure: JSONParser.Failure?
        do {
            ours = try JSONParser.parse(input)
        } catch {
            if error.reason == "nested too deeply" { return }
            ours = nil
            failure = error
        }
        let theirs = try? JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed])
        switch (ours, theirs) {
        case (nil, nil):
            return
        case (let ours?, nil):
            throw FuzzFinding(.json, "JSONParser accepts what JSONSerialization rejects: \(quote(input)) → \(ours)")
        case (nil, let theirs?):
            if let failure, isTrailingComma(input, at: failure.offset) { return }
            throw FuzzFinding(.json, "JSONSerialization accepts what JSONParser rejects: \(quote(input)) → \(theirs)")
        case (let ours?, let theirs?):
            if let difference = JSONComparison.difference(ours, theirs, at: "$") {
                throw FuzzFinding(.json, "JSONParser and JSONSerialization read \(quote(input)) differently at \(difference)")
            }
        }
    }

    /// Whether JSONParser stopped at a `]` or `}` right after a comma (whitespace aside).
    static func isTrailingComma(_ input: [UInt8], at offset: Int) -> Bool {
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        var next = offset
        while next < input.count, whitespace.contains(input[next]) { next += 1 }
        var previous = offset - 1
        while previous >= 0, whitespace.contains(input[previous]) { previous -= 1 }
        return next < input.count && (input[next] == UInt8(ascii: "]") || input[next] == UInt8(ascii: "}"))
            && previous >= 0 && input[previous] == UInt8(ascii: ",")
    }

    /// The contact sync's decoding of a query answer (which must never crash, whatever it is
    /// given); `JSONReader` skipping everything accepts exactly what `JSONParser` accepts; and a
    /// reader walking every container while reading the leaves builds the value `JSONParser` does.
    static func reader(_ input: [UInt8]) throws(FuzzFinding) {
        _ = try? ContactPageDecoding.decode(input)
        _ = try? ContactPageDecoding.nextPath(input)
        let parsed = try? JSONParser.parse(input)
        let skipped = (try? JSONReader.read(input) { (_: inout JSONReader) throws(JSONParser.Failure) in }) != nil
        if skipped != (parsed != nil) {
            throw FuzzFinding(.jsonReader, "JSONReader \(skipped ? "accepts" : "rejects") what JSONParser \(parsed != nil ? "accepts" : "rejects"): \(quote(input))")
        }
        let walked = try? JSONReader.read(input) { (reader) throws(JSONParser.Failure) in try walk(&reader) }
        if walked != parsed {
            throw FuzzFinding(.jsonReader, "JSONReader's walk reads \(quote(input)) as \(walked.map { "\($0)" } ?? "an error"), JSONParser as \(parsed.map { "\($0)" } ?? "an error")")
        }
    }

    /// Builds the next value with the reader's container calls, leaves with `readString` where it
    /// applies and `readValue` elsewhere.
    static func walk(_ reader: inout JSONReader) throws(JSONParser.Failure) -> JSONValue {
        switch reader.peek() {
        case .object:
            var members: [JSONMember] = []
            try reader.readObject { (name, reader) throws(JSONParser.Failure) in members.append(JSONMember(name.name, try walk(&reader))) }
            return .object(members)
        case .array:
            var items: [JSONValue] = []
            try reader.readArray { (reader) throws(JSONParser.Failure) in items.append(try walk(&reader)) }
            return .array(items)
        case .string:
            return try reader.readString().map(JSONValue.string) ?? .null
        default:
            return try reader.readValue()
        }
    }

    /// An input for a finding's message: printable ASCII as is, other bytes as `\xNN`, at most 200.
    static func quote(_ input: [UInt8]) -> String {
        let shown = input.prefix(200).map { byte in
            (0x20..<0x7F).contains(byte) && byte != 0x5C ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16, uppercase: true).leftPadded(2)
        }.joined()
        return "\"" + shown + (input.count > 200 ? "…(\(input.count) bytes)" : "") + "\""
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

/// Compares a `JSONValue` with what `JSONSerialization` made of the same text.
enum JSONComparison {
    /// Where the two differ (a JSON path and both values), or nil when they are the same.
    static func difference(_ ours: JSONValue, _ theirs: Any, at path: String) -> String? {
        switch ours {
        case .null:
            return theirs is NSNull ? nil : "\(path): null vs \(theirs)"
        case .bool(let value):
            guard let number = theirs as? NSNumber, String(cString: number.objCType) == "c", number.boolValue == value else {
                return "\(path): \(value) vs \(theirs)"
            }
            return nil
        case .integer(let value):
            guard let number = theirs as? NSNumber, String(cString: number.objCType) != "c", Self.number(number, equals: value) else {
                return "\(path): integer \(value) vs \(theirs)"
            }
            return nil
        case .number(let value):
            guard let number = theirs as? NSNumber, String(cString: number.objCType) != "c", Self.double(of: number) == value else {
                return "\(path): number \(value) vs \(theirs)"
            }
            return nil
        case .string(let value):
            return (theirs as? String) == value ? nil : "\(path): \(String(reflecting: value)) vs \(theirs)"
        case .array(let items):
            guard let others = theirs as? [Any], others.count == items.count else { return "\(path): an array of \(items.count) vs \(theirs)" }
            for (index, item) in items.enumerated() {
                if let difference = difference(item, others[index], at: "\(path)[\(index)]") { return difference }
            }
            return nil
        case .object(let members):
            guard let others = theirs as? [String: Any] else { return "\(path): an object vs \(theirs)" }
            // A repeated name: the last one counts, as in JSONSerialization (and JSONValue's subscript).
            var last: [String: JSONValue] = [:]
            for member in members { last[member.name] = member.value }
            guard Set(last.keys) == Set(others.keys) else { return "\(path): members \(last.keys.sorted()) vs \(others.keys.sorted())" }
            for (name, value) in last {
                if let difference = difference(value, others[name]!, at: "\(path).\(name)") { return difference }
            }
            return nil
        }
    }

    /// `number` (an integer, an unsigned 64-bit one, a double or a decimal) is exactly `value`.
    static func number(_ number: NSNumber, equals value: Int64) -> Bool {
        if number is NSDecimalNumber { return number.stringValue == String(value) }
        switch String(cString: number.objCType) {
        case "Q": return value >= 0 && number.uint64Value == UInt64(value)
        case "d", "f": return number.doubleValue == Double(value) && Double(value) == Double(exactly: value)
        default: return number.int64Value == value
        }
    }

    /// The double a number stands for: a decimal through its text (correctly rounded).
    static func double(of number: NSNumber) -> Double? {
        if number is NSDecimalNumber { return Double(number.stringValue) }
        return number.doubleValue
    }
}
