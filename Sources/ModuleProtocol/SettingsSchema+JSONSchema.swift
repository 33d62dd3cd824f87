import ConnectorKit

/// The settings schema as the protocol carries it: a JSON Schema object (docs/module-protocol.md).
extension SettingsSchema {
    /// Reads a module's JSON Schema.
    /// - Throws: ``RPCError`` `-32602` naming the property that cannot be read.
    public init(jsonSchema: JSONValue) throws(RPCError) {
        guard jsonSchema["type"]?.stringValue == "object" || jsonSchema["properties"] != nil else {
            throw .invalidParams("settings must be a JSON Schema object with \"properties\"")
        }
        self = try Self.object(jsonSchema, path: "settings")
    }

    private static func object(_ schema: JSONValue, path: String) throws(RPCError) -> SettingsSchema {
        let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        var fields: [SettingField] = []
        for member in schema["properties"]?.members ?? [] {
            let property = member.value
            let here = "\(path).\(member.name)"
            let type = try settingType(property, path: here)
            var defaultValue: SettingValue?
            if let value = property["default"] {
                guard let converted = Self.value(value, type: type) else { throw .invalidParams("\(here): the default does not fit the type") }
                defaultValue = converted
            }
            let summary = property["description"]?.stringValue ?? ""
            fields.append(SettingField(member.name, type, required: required.contains(member.name), default: defaultValue,
                                       feature: property["x-feature"]?.stringValue.map { Feature($0) }, summary: summary))
        }
        return SettingsSchema(fields)
    }

    private static func settingType(_ property: JSONValue, path: String) throws(RPCError) -> SettingType {
        switch property["type"]?.stringValue {
        case "string":
            if property["x-sensitive"]?.boolValue == true { return .sensitiveString }
            if property["x-secret"]?.boolValue == true { return .secret }
            if let words = property["enum"]?.arrayValue { return .oneOf(words.compactMap(\.stringValue)) }
            switch property["format"]?.stringValue {
            case "uri"?:
                let schemes = (property["x-schemes"]?.arrayValue ?? []).compactMap(\.stringValue)
                return .url(schemes: schemes.isEmpty ? ["https", "http"] : schemes,
                            keywords: (property["x-keywords"]?.arrayValue ?? []).compactMap(\.stringValue))
            case "duration"?: return .duration
            case "path"?: return .path(mustExist: property["x-must-exist"]?.boolValue ?? false)
            default: return .string
            }
        case "integer":
            return .integer(min: property["minimum"]?.integerValue.map(Int.init), max: property["maximum"]?.integerValue.map(Int.init))
        case "boolean":
            return .boolean
        case "array":
            guard let items = property["items"] else { throw .invalidParams("\(path): an array needs \"items\"") }
            return .list(try settingType(items, path: path + "[]"))
        case "object":
            if property["properties"] == nil, let values = property["additionalProperties"], values.members != nil {
                return .map(try settingType(values, path: path + "{}"))
            }
            return .object(try object(property, path: path))
        default:
            throw .invalidParams("\(path): type \(property["type"]?.description ?? "missing") is not one of string, integer, boolean, array, object")
        }
    }

    /// A JSON default as a setting value of `type`.
    static func value(_ json: JSONValue, type: SettingType) -> SettingValue? {
        switch (type, json) {
        case (.string, .string(let text)), (.oneOf, .string(let text)), (.path, .string(let text)), (.address, .string(let text)):
            return .string(text)
        case (.duration, .string(let text)): return DurationFormat.parse(text).map(SettingValue.duration)
        case (.url(_, let keywords), .string(let text)) where keywords.contains(text): return .keyword(text)
        case (.url, .string(let text)): return URL(string: text).map(SettingValue.url)
        case (.integer, .integer(let number)): return .integer(Int(number))
        case (.boolean, .bool(let flag)): return .boolean(flag)
        case (.list(let element), .array(let items)):
            var values: [SettingValue] = []
            for item in items { guard let value = value(item, type: element) else { return nil }; values.append(value) }
            return .list(values)
        case (.map(let element), .object(let members)):
            var object = SettingsObject()
            for member in members { guard let value = value(member.value, type: element) else { return nil }; object[member.name] = value }
            return .object(object)
        case (.object(let schema), .object(let members)):
            var object = SettingsObject()
            for member in members {
                guard let field = schema.field(named: member.name), let value = value(member.value, type: field.type) else { return nil }
                object[member.name] = value
            }
            return .object(object)
        case (.secret, .string(let text)), (.sensitiveString, .string(let text)):
            return (try? SecretReference.parse(text)).map(SettingValue.secret)
        default: return nil
        }
    }
}

extension SettingsObject {
    /// Validated settings as the protocol carries them: secret fields as their references
    /// (`"env:HR_TOKEN"`), durations as text (`"15m"`), paths resolved, URLs as text. A sensitive
    /// setting written literally (`consumer_key: ${SF_CONSUMER_KEY}`) is never shown: "(sensitive)".
    public var json: JSONValue {
        .object(keys.compactMap { key in self[key].map { JSONMember(key, $0.json) } })
    }

    /// The settings `connector.start` hands the module: as ``json``, except that a sensitive setting
    /// written literally goes as its text — it is the module's own setting, given to it as a value in
    /// the file; only references (to keys and secrets) stay in the host.
    public var startJSON: JSONValue {
        .object(keys.compactMap { key in self[key].map { JSONMember(key, $0.startJSON) } })
    }
}

extension SettingValue {
    /// The value as the protocol carries it (a secret as its reference, never its value).
    public var json: JSONValue {
        switch self {
        case .string(let text), .keyword(let text): .string(text)
        case .integer(let number): .integer(Int64(number))
        case .boolean(let flag): .bool(flag)
        case .duration(let duration): .string(DurationFormat.format(duration))
        case .url(let url): .string(url.absoluteString)
        case .secret(let reference): .string(reference.description)
        case .sensitive: .string("(sensitive)")
        case .list(let items): .array(items.map(\.json))
        case .object(let object): object.json
        }
    }

    /// The value `connector.start` carries (see ``SettingsObject/startJSON``).
    public var startJSON: JSONValue {
        switch self {
        case .sensitive(let secret): .string((try? secret.revealedString()) ?? "")
        case .list(let items): .array(items.map(\.startJSON))
        case .object(let object): object.startJSON
        default: json
        }
    }
}

import Foundation
