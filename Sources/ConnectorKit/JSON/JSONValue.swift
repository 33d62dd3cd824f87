/// A JSON value that keeps what JWT checks need and `JSONSerialization` loses: member order,
/// and whether a number was written as an integer or with a fraction.
public indirect enum JSONValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    /// A number written without fraction or exponent.
    case integer(Int64)
    /// A number written with a fraction or exponent (or too large for Int64).
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    /// Members in document order.
    case object([JSONMember])

    /// The member with a name, for objects.
    public subscript(name: String) -> JSONValue? {
        if case .object(let members) = self { return members.last { $0.name == name }?.value }
        return nil
    }

    /// The string, for `.string`.
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    /// The integer, for `.integer`.
    public var integerValue: Int64? { if case .integer(let i) = self { i } else { nil } }

    /// Compact JSON text, members in order, `/` not escaped.
    public var description: String { String(decoding: serialized(), as: UTF8.self) }

    /// Compact JSON bytes.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    private func write(into out: inout [UInt8]) {
        switch self {
        case .string(let s): Self.writeString(s, into: &out)
        case .integer(let i): out += Array(String(i).utf8)
        case .number(let d): out += Array((d.isFinite ? "\(d)" : "null").utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .null: out += Array("null".utf8)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.name, into: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `s` as a JSON string literal (quotes, escapes; `/` and non-ASCII left as they are).
    /// Runs that need no escape are copied whole.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var run = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                run = index + 1
                switch byte {
                case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
                case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// One member of a JSON object.
public struct JSONMember: Sendable, Hashable {
    /// The name.
    public var name: String
    /// The value.
    public var value: JSONValue

    /// Creates a member.
    public init(_ name: String, _ value: JSONValue) {
        self.name = name
        self.value = value
    }
}

extension JSONValue {
    /// Indented JSON text (two spaces), members in order, ending with a newline.
    public func prettyPrinted() -> String { pretty(indent: "") + "\n" }

    private func pretty(indent: String) -> String {
        let inner = indent + "  "
        switch self {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { inner + $0.pretty(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let members) where !members.isEmpty:
            return "{\n" + members.map { inner + JSONValue.string($0.name).description + ": " + $0.value.pretty(indent: inner) }
                .joined(separator: ",\n") + "\n\(indent)}"
        default:
            return description
        }
    }
}
