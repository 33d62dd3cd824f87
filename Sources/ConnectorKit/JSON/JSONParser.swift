/// A strict RFC 8259 parser into ``JSONValue`` (keeps member order and integer/fraction distinction).
public enum JSONParser {
    /// Why text is not JSON, with the byte offset.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// Byte offset of the problem.
        public var offset: Int
        /// What is wrong.
        public var reason: String
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// Parses a complete JSON text.
    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> JSONValue in
            var parser = Parser(bytes: buffer)
            parser.skipWhitespace()
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.index == buffer.count else { throw Failure(offset: parser.index, reason: "unexpected text after the value") }
            return value
        }
    }

    /// Parses a complete JSON text.
    public static func parse(_ text: String) throws(Failure) -> JSONValue { try parse(Array(text.utf8)) }

    /// Reads the bytes through a buffer pointer (no bounds check or reference count per byte;
    /// every index is checked against `count` by the parser itself). ``JSONReader`` walks with it too.
    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        func fail(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard depth < 64 else { throw fail("nested too deeply") }
            guard index < bytes.count else { throw fail("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true", 0x6575_7274); return .bool(true)
            case UInt8(ascii: "f"): try literal("false", 0x736C_6166, last: UInt8(ascii: "e")); return .bool(false)
            case UInt8(ascii: "n"): try literal("null", 0x6C6C_756E); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw fail("unexpected character")
            }
        }

        /// Matches `true`, `false` or `null`: its first four bytes as a little-endian word, and the
        /// fifth of `false`.
        mutating func literal(_ word: StaticString, _ firstFour: UInt32, last: UInt8? = nil) throws(Failure) {
            let length = last == nil ? 4 : 5
            guard index + length <= bytes.count,
                  UInt32(littleEndian: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[index..<index + 4])).loadUnaligned(as: UInt32.self)) == firstFour,
                  last.map({ bytes[index + 4] == $0 }) ?? true else { throw fail("expected \(word)") }
            index += length
        }

        mutating func object(depth: Int) throws(Failure) -> JSONValue {
            index += 1
            var members: [JSONMember] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                let name = try string()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipWhitespace()
                members.append(JSONMember(name, try value(depth: depth + 1)))
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end in object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw fail("expected ',' or '}'")
            }
        }

        mutating func array(depth: Int) throws(Failure) -> JSONValue {
            index += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end in array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                throw fail("expected ',' or ']'")
            }
        }

        mutating func string() throws(Failure) -> String {
            index += 1
            // Fast path: no escape before the closing quote — one validation, no copy loop.
            let start = index
            var end = index
            var ascii = true
            while end < bytes.count {
                let c = bytes[end]
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { break }
                ascii = ascii && c < 0x80
                end += 1
            }
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
                // ASCII needs no validation; anything else must be well-formed UTF-8.
                guard let s = ascii ? String(decoding: text, as: UTF8.self) : String(validating: text, as: UTF8.self) else {
                    throw fail("invalid UTF-8 in string")
                }
                index = end + 1
                return s
            }
            var out = Array(bytes[start..<end])
            index = end
            while index < bytes.count {
                let c = bytes[index]
                index += 1
                switch c {
                case UInt8(ascii: "\""):
                    guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in string") }
                    return s
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { throw fail("unexpected end in escape") }
                    let e = bytes[index]
                    index += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                                throw fail("unpaired surrogate")
                            }
                            index += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let u = Unicode.Scalar(scalar) else { throw fail("invalid escape") }
                        out += Array(String(Character(u)).utf8)
                    default: throw fail("invalid escape")
                    }
                case 0..<0x20: throw fail("control character in string")
                default: out.append(c)
                }
            }
            throw fail("unterminated string")
        }

        /// Four hex digits — exactly: `UInt32(_:radix:)` took `\u+000` (a sign) as U+0000, found
        /// by the json fuzz target against JSONSerialization.
        mutating func hex4() throws(Failure) -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail("invalid \\u escape") }
            var value: UInt32 = 0
            for byte in bytes[index..<index + 4] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw fail("invalid \\u escape")
                }
                value = value << 4 | UInt32(digit)
            }
            index += 4
            return value
        }

        mutating func number() throws(Failure) -> JSONValue {
            let start = index
            let isInteger = try scanNumber()
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            if isInteger, let value = Int64(text) { return .integer(value) }
            guard let value = Double(text), value.isFinite else { throw fail("invalid number") }
            return .number(value)
        }

        /// Moves past a number, checking its grammar; true when it has no fraction or exponent.
        mutating func scanNumber() throws(Failure) -> Bool {
            let numberStart = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            func digits() -> Int {
                let from = index
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
                return index - from
            }
            let intDigits = digits()
            guard intDigits > 0 else { throw fail("invalid number") }
            guard !(intDigits > 1 && bytes[index - intDigits] == UInt8(ascii: "0")) else { throw fail("leading zero in number") }
            var isInteger = true
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                isInteger = false
                guard digits() > 0 else { throw fail("invalid number") }
            }
            var hasExponent = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                isInteger = false
                hasExponent = true
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw fail("invalid number") }
            }
            // A number beyond Double's range (1e400) is refused, as JSONSerialization does — found by
            // the json fuzz target; only an exponent or 309+ digits can get there, so only those
            // are converted here (skipping stays cheap).
            if hasExponent || intDigits > 308 {
                let start = numberStart
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                guard let value = Double(text), value.isFinite else { throw Failure(offset: start, reason: "number out of range") }
            }
            return isInteger
        }
    }
}
