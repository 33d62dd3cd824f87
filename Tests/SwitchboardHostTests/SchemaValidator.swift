import Foundation

/// The part of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that openapi.yaml's schemas use: `type`
/// (one or a list, `null` included), `required`, `properties`, `additionalProperties` (false or a
/// schema), `items`, `const`, `enum`, `pattern`, `minimum`, `format: date-time`, and `$ref` into
/// `#/components/schemas`. Anything else in a schema fails the check, so the validator never passes
/// what it does not understand.
struct OpenAPISchemaValidator {
    let schemas: [String: Any]
    static let understood: Set<String> = ["type", "required", "properties", "additionalProperties", "items", "const", "enum", "pattern", "minimum",
                                          "format", "$ref", "description", "examples"]

    /// The problems of `value` against `schema` (none: it validates).
    func problems(_ value: Any?, _ schema: [String: Any], at path: String = "$") -> [String] {
        if let unknown = schema.keys.first(where: { !Self.understood.contains($0) }) { return ["\(path): the validator does not understand '\(unknown)'"] }
        if let reference = schema["$ref"] as? String {
            let name = String(reference.dropFirst("#/components/schemas/".count))
            guard let target = schemas[name] as? [String: Any] else { return ["\(path): no schema \(reference)"] }
            return problems(value, target, at: path)
        }
        var found: [String] = []
        if let types = schema["type"].map({ ($0 as? [String]) ?? [$0 as? String ?? ""] }), !types.contains(where: { Self.has(value, type: $0) }) {
            return ["\(path): \(Self.describe(value)) is not \(types.joined(separator: " or "))"]
        }
        if let constant = schema["const"], "\(constant)" != "\(value ?? "null")" { found.append("\(path): must be \(constant)") }
        if let choices = schema["enum"] as? [Any], !choices.contains(where: { "\($0)" == "\(value ?? "null")" }) { found.append("\(path): not one of \(choices)") }
        if let text = value as? String {
            if let pattern = schema["pattern"] as? String, text.range(of: pattern, options: .regularExpression) == nil { found.append("\(path): does not match \(pattern)") }
            if schema["format"] as? String == "date-time", ISO8601DateFormatter.parse(text) == nil { found.append("\(path): '\(text)' is not a date-time") }
        }
        if let minimum = schema["minimum"] as? Double, let number = value as? NSNumber, number.doubleValue < minimum { found.append("\(path): below \(minimum)") }
        if let object = value as? [String: Any] {
            for name in schema["required"] as? [String] ?? [] where object[name] == nil { found.append("\(path): '\(name)' is required") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (name, member) in object {
                if let property = properties[name] as? [String: Any] {
                    found += problems(member is NSNull ? nil : member, property, at: "\(path).\(name)")
                } else if schema["additionalProperties"] as? Bool == false {
                    found.append("\(path): '\(name)' is not a documented field")
                } else if let extra = schema["additionalProperties"] as? [String: Any] {
                    found += problems(member, extra, at: "\(path).\(name)")
                }
            }
        }
        if let items = value as? [Any], let itemSchema = schema["items"] as? [String: Any] {
            for (index, item) in items.enumerated() { found += problems(item, itemSchema, at: "\(path)[\(index)]") }
        }
        return found
    }

    static func has(_ value: Any?, type: String) -> Bool {
        kind(value) == type || (type == "number" && kind(value) == "integer")
    }

    /// The JSON type of a JSONSerialization value (booleans are NSNumbers of objCType "c" there).
    static func kind(_ value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "null" }
        if value is String { return "string" }
        if value is [String: Any] { return "object" }
        if value is [Any] { return "array" }
        if let number = value as? NSNumber {
            let code = String(cString: number.objCType)
            if code == "c" { return "boolean" }
            return ["d", "f"].contains(code) ? "number" : "integer"
        }
        return "unknown"
    }

    static func describe(_ value: Any?) -> String { value.map { "\($0)" } ?? "null" }
}

extension ISO8601DateFormatter {
    /// A date-time with or without fractional seconds.
    static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
