import NIOCore

/// Query pages and records written as JSON straight into the response's `ByteBuffer` (a page of
/// 2,000 contacts is about 700 KB; building it as a `String` first cost the sandbox a third of
/// its time per page).
enum RecordJSON {
    /// One page of a query result, in Salesforce's shape.
    static func page(object: String, rows: [QueryRow], total: Int, next: String?, version: String) -> ByteBuffer {
        var out = ByteBufferAllocator().buffer(capacity: 256 + rows.count * (160 + 48 * (rows.first?.fields.count ?? 0)))
        out.writeString("{\"totalSize\":\(total),\"done\":\(next == nil)")
        if let next { out.writeString(",\"nextRecordsUrl\":\"/services/data/\(version)/query/\(next)\"") }
        out.writeString(",\"records\":[")
        let prefix = recordPrefix(object: object, version: version)
        for (index, row) in rows.enumerated() {
            if index > 0 { out.writeInteger(UInt8(ascii: ",")) }
            write(row, prefix: prefix, to: &out)
        }
        out.writeString("]}")
        return out
    }

    /// One record with its `attributes`.
    static func record(_ row: QueryRow, object: String, version: String) -> ByteBuffer {
        var out = ByteBufferAllocator().buffer(capacity: 160 + 48 * row.fields.count)
        write(row, prefix: recordPrefix(object: object, version: version), to: &out)
        return out
    }

    /// What every record of an object starts with, up to its id.
    private static func recordPrefix(object: String, version: String) -> [UInt8] {
        Array("{\"attributes\":{\"type\":\"\(object)\",\"url\":\"/services/data/\(version)/sobjects/\(object)/".utf8)
    }

    private static func write(_ row: QueryRow, prefix: [UInt8], to out: inout ByteBuffer) {
        out.writeBytes(prefix)
        out.writeString(row.id)
        out.writeBytes([UInt8(ascii: "\""), UInt8(ascii: "}")])
        for (name, value) in row.fields {
            out.writeBytes([UInt8(ascii: ","), UInt8(ascii: "\"")])
            out.writeString(name)
            out.writeBytes([UInt8(ascii: "\""), UInt8(ascii: ":")])
            value.writeJSON(to: &out)
        }
        out.writeInteger(UInt8(ascii: "}"))
    }
}

extension FieldValue {
    /// Appends the JSON text of the value.
    func writeJSON(to out: inout ByteBuffer) {
        switch self {
        case .string(let value): JSONText.writeString(value, to: &out)
        case .dateTime(let millis):
            out.writeInteger(UInt8(ascii: "\""))
            let written = out.writeWithUnsafeMutableBytes(minimumWritableBytes: 28) { raw in
                SalesforceDate.write(millis: millis, to: raw.bindMemory(to: UInt8.self))
            }
            if written == 0 { out.writeString(SalesforceDate.format(millis: millis)) }
            out.writeInteger(UInt8(ascii: "\""))
        default:
            var text = ""
            writeJSON(to: &text)
            out.writeString(text)
        }
    }
}

extension JSONText {
    /// Appends `value` as a JSON string; text with nothing to escape (nearly all) is copied whole.
    static func writeString(_ value: String, to out: inout ByteBuffer) {
        var value = value
        let written = value.withUTF8 { bytes -> Bool in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else { return false }
            out.writeInteger(UInt8(ascii: "\""))
            out.writeBytes(UnsafeRawBufferPointer(bytes))
            out.writeInteger(UInt8(ascii: "\""))
            return true
        }
        if !written { out.writeString(string(value)) }
    }
}
