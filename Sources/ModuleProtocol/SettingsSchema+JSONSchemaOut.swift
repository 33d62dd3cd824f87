import ConnectorKit
import Foundation

extension SettingsSchema {
    /// The schema as the protocol carries it (JSON Schema with `x-secret`, `x-feature`, `format`s),
    /// for a Swift module served over the protocol.
    public var jsonSchema: JSONValue {
        .object([
            ("type", .string("object")),
            ("required", .array(fields.filter(\.isRequired).map { .string($0.name) })),
            ("properties", .object(fields.map { field in
                var property = Self.property(field.type).members ?? []
                property.append(JSONMember("description", .string(field.summary)))
                if let value = field.defaultValue { property.append(JSONMember("default", value.json)) }
                if let feature = field.feature { property.append(JSONMember("x-feature", .string(feature.rawValue))) }
                return JSONMember(field.name, .object(property))
            })),
        ])
    }

    private static func property(_ type: SettingType) -> JSONValue {
        switch type {
        case .string, .address: return .object([("type", .string("string"))])
        case .secret: return .object([("type", .string("string")), ("x-secret", .bool(true))])
        case .sensitiveString: return .object([("type", .string("string")), ("x-secret", .bool(true)), ("x-sensitive", .bool(true))])
        case .integer(let min, let max):
            return .object([("type", .string("integer")), ("minimum", min.map { .integer(Int64($0)) }), ("maximum", max.map { .integer(Int64($0)) })])
        case .boolean: return .object([("type", .string("boolean"))])
        case .duration: return .object([("type", .string("string")), ("format", .string("duration"))])
        case .url(let schemes, let keywords):
            return .object([("type", .string("string")), ("format", .string("uri")), ("x-schemes", .array(schemes.map(JSONValue.string))),
                            ("x-keywords", keywords.isEmpty ? nil : .array(keywords.map(JSONValue.string)))])
        case .oneOf(let words): return .object([("type", .string("string")), ("enum", .array(words.map(JSONValue.string)))])
        case .path(let mustExist): return .object([("type", .string("string")), ("format", .string("path")), ("x-must-exist", .bool(mustExist))])
        case .list(let element): return .object([("type", .string("array")), ("items", property(element))])
        case .object(let nested):
            let schema = nested.jsonSchema.members ?? []
            return .object(schema.filter { $0.name != "type" } + [JSONMember("type", .string("object"))])
        case .map(let element): return .object([("type", .string("object")), ("additionalProperties", property(element))])
        }
    }
}

extension SettingsObject {
    /// Settings the host sent in `connector.start`, typed by the module's schema (secret fields
    /// become references, durations and URLs their values).
    public init(json: JSONValue, schema: SettingsSchema) throws(RPCError) {
        self.init()
        for member in json.members ?? [] {
            guard let field = schema.field(named: member.name) else { continue }
            self[member.name] = try Self.value(member.value, type: field.type, path: member.name)
        }
    }

    private static func value(_ json: JSONValue, type: SettingType, path: String) throws(RPCError) -> SettingValue {
        switch type {
        case .secret:
            guard let text = json.stringValue, let reference = try? SecretReference.parse(text) else {
                throw .invalidParams("\(path) must be a secret reference")
            }
            return .secret(reference)
        case .sensitiveString:
            // A reference stays one (resolved through the host at the moment of use); literal text
            // is the module's own setting, kept out of descriptions.
            guard let text = json.stringValue else { throw .invalidParams("\(path) must be text or a secret reference") }
            if let reference = try? SecretReference.parse(text) { return .secret(reference) }
            return .sensitive(Secret(text))
        case .object(let nested):
            return .object(try SettingsObject(json: json, schema: nested))
        case .map(let element):
            var object = SettingsObject()
            for member in json.members ?? [] { object[member.name] = try value(member.value, type: element, path: "\(path).\(member.name)") }
            return .object(object)
        case .list(let element):
            var items: [SettingValue] = []
            for (index, item) in (json.arrayValue ?? []).enumerated() { items.append(try value(item, type: element, path: "\(path)[\(index)]")) }
            return .list(items)
        case .url(_, let keywords):
            if let text = json.stringValue, keywords.contains(text) { return .keyword(text) }
            guard let text = json.stringValue, let url = URL(string: text) else { throw .invalidParams("\(path) must be a URL") }
            return .url(url)
        default:
            guard let converted = SettingsSchema.value(json, type: type) else { throw .invalidParams("\(path) does not fit its type \(type)") }
            return converted
        }
    }
}
