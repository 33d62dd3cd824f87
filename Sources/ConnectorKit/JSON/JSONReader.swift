/// A pull reader over JSON bytes: walks objects and arrays member by member and reads only the
/// values asked for — no ``JSONValue`` tree for what the caller throws away. Values it is not
/// asked for are skipped, but still checked: the reader accepts exactly what ``JSONParser`` does.
///
/// A reader exists only inside ``read(_:_:)``'s closure (it reads the bytes in place):
///
/// ```swift
/// let ids = try JSONReader.read(body) { reader in
///     var ids: [String] = []
///     try reader.readObject { name, reader in
///         guard name == "records" else { return }            // other members are skipped
///         try reader.readArray { reader in
///             try reader.readObject { name, reader in
///                 if name == "Id", let id = try reader.readString() { ids.append(id) }
///             }
///         }
///     }
///     return ids
/// }
/// ```
public struct JSONReader: ~Copyable {
    /// What kind of value comes next.
    public enum Kind: Sendable, Hashable {
        case object, array, string, number, bool, null
    }

    var parser: JSONParser.Parser
    var depth = 0

    /// Reads one complete JSON text with `body`. A value `body` leaves unread is skipped (and
    /// checked); text after it is an error.
    public static func read<T>(_ bytes: [UInt8], _ body: (inout JSONReader) throws(JSONParser.Failure) -> T) throws(JSONParser.Failure) -> T {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParser.Failure) -> T in
            var reader = JSONReader(parser: JSONParser.Parser(bytes: buffer))
            reader.parser.skipWhitespace()
            let start = reader.parser.index
            let result = try body(&reader)
            if reader.parser.index == start { try reader.skipValue() }
            reader.parser.skipWhitespace()
            guard reader.parser.index == buffer.count else {
                throw JSONParser.Failure(offset: reader.parser.index, reason: "unexpected text after the value")
            }
            return result
        }
    }

    /// The kind of the next value, or nil at the end of the text or before a character no value
    /// starts with.
    public mutating func peek() -> Kind? {
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count else { return nil }
        switch parser.bytes[parser.index] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: return nil
        }
    }

    /// Reads the object that comes next, calling `member` with each member's name and the reader
    /// positioned at its value. A value `member` does not read is skipped.
    public mutating func readObject(_ member: (JSONKey, inout JSONReader) throws(JSONParser.Failure) -> Void) throws(JSONParser.Failure) {
        try enter(UInt8(ascii: "{"), "expected an object")
        defer { depth -= 1 }
        if closes(UInt8(ascii: "}")) { return }
        while true {
            parser.skipWhitespace()
            guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "\"") else { throw parser.fail("expected a member name") }
            let name = try parser.key()
            parser.skipWhitespace()
            guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: ":") else { throw parser.fail("expected ':'") }
            parser.index += 1
            parser.skipWhitespace()
            let start = parser.index
            try member(name, &self)
            if parser.index == start { try parser.skip(depth: depth) }
            if try next(UInt8(ascii: "}"), "expected ',' or '}'") { return }
        }
    }

    /// Reads the array that comes next, calling `element` with the reader positioned at each
    /// element. An element `element` does not read is skipped.
    public mutating func readArray(_ element: (inout JSONReader) throws(JSONParser.Failure) -> Void) throws(JSONParser.Failure) {
        try enter(UInt8(ascii: "["), "expected an array")
        defer { depth -= 1 }
        if closes(UInt8(ascii: "]")) { return }
        while true {
            parser.skipWhitespace()
            let start = parser.index
            try element(&self)
            if parser.index == start { try parser.skip(depth: depth) }
            if try next(UInt8(ascii: "]"), "expected ',' or ']'") { return }
        }
    }

    /// The next value, whatever it is, as a ``JSONValue``.
    public mutating func readValue() throws(JSONParser.Failure) -> JSONValue {
        parser.skipWhitespace()
        return try parser.value(depth: depth)
    }

    /// The next value as a string; nil when it is `null`. Any other kind is an error.
    public mutating func readString() throws(JSONParser.Failure) -> String? {
        switch peek() {
        case .string: return try parser.string()
        case .null: try parser.literal("null", 0x6C6C_756E); return nil
        default: throw parser.fail("expected a string")
        }
    }

    /// Moves past the next value, checking it.
    public mutating func skipValue() throws(JSONParser.Failure) {
        parser.skipWhitespace()
        try parser.skip(depth: depth)
    }

    /// Moves past the opening bracket of a container, one level deeper.
    private mutating func enter(_ bracket: UInt8, _ expectation: String) throws(JSONParser.Failure) {
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == bracket else { throw parser.fail(expectation) }
        guard depth < 64 else { throw parser.fail("nested too deeply") }
        parser.index += 1
        depth += 1
    }

    /// Moves past `bracket` when the container is empty.
    private mutating func closes(_ bracket: UInt8) -> Bool {
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count, parser.bytes[parser.index] == bracket else { return false }
        parser.index += 1
        return true
    }

    /// After an element: true at the closing `bracket`, false after a comma.
    private mutating func next(_ bracket: UInt8, _ expectation: String) throws(JSONParser.Failure) -> Bool {
        parser.skipWhitespace()
        guard parser.index < parser.bytes.count else { throw parser.fail("unexpected end") }
        switch parser.bytes[parser.index] {
        case UInt8(ascii: ","): parser.index += 1; return false
        case bracket: parser.index += 1; return true
        default: throw parser.fail(expectation)
        }
    }
}

/// A member name as ``JSONReader`` hands it over: compared in place against the names a caller
/// looks for (only names with escapes or non-ASCII characters are decoded). Valid only inside
/// the member closure it is given to.
public struct JSONKey {
    let raw: UnsafeBufferPointer<UInt8>
    let decoded: String?

    /// The name.
    public var name: String { decoded ?? String(decoding: raw, as: UTF8.self) }

    /// Whether the name is `name`.
    public func matches(_ name: String) -> Bool {
        if let decoded { return decoded == name }
        var name = name
        return name.withUTF8 { $0.count == raw.count && $0.elementsEqual(raw) }
    }

    /// Whether the name is `name`.
    public static func == (key: JSONKey, name: StaticString) -> Bool {
        let bytes = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        if let decoded = key.decoded { return decoded.utf8.elementsEqual(bytes) }
        return bytes.count == key.raw.count && bytes.elementsEqual(key.raw)
    }
}

extension JSONParser.Parser {
    /// A member name at the opening quote: in place when it is plain ASCII, decoded otherwise.
    mutating func key() throws(JSONParser.Failure) -> JSONKey {
        let start = index + 1
        var end = start
        while end < bytes.count {
            let c = bytes[end]
            if c == UInt8(ascii: "\"") {
                index = end + 1
                return JSONKey(raw: UnsafeBufferPointer(rebasing: bytes[start..<end]), decoded: nil)
            }
            if c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { break }
            end += 1
        }
        return JSONKey(raw: UnsafeBufferPointer(start: nil, count: 0), decoded: try string())
    }

    /// Moves past one value, checking it as ``value(depth:)`` would, without building it.
    mutating func skip(depth: Int) throws(JSONParser.Failure) {
        guard depth < 64 else { throw fail("nested too deeply") }
        guard index < bytes.count else { throw fail("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                try skipString()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipWhitespace()
                try skip(depth: depth + 1)
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end in object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return }
                throw fail("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return }
            while true {
                skipWhitespace()
                try skip(depth: depth + 1)
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end in array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return }
                throw fail("expected ',' or ']'")
            }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true", 0x6575_7274)
        case UInt8(ascii: "f"): try literal("false", 0x736C_6166, last: UInt8(ascii: "e"))
        case UInt8(ascii: "n"): try literal("null", 0x6C6C_756E)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber()
        default: throw fail("unexpected character")
        }
    }

    /// Moves past a string at its opening quote. Plain ASCII is only scanned; a string with an
    /// escape or a non-ASCII byte is read in full (the escapes and the UTF-8 are checked there).
    mutating func skipString() throws(JSONParser.Failure) {
        var end = index + 1
        while end < bytes.count {
            let c = bytes[end]
            if c == UInt8(ascii: "\"") { index = end + 1; return }
            if c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { _ = try string(); return }
            end += 1
        }
        index = end
        throw fail("unterminated string")
    }
}
