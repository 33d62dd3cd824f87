import ConnectorKit
import Foundation

/// The static rules a module's description must follow so that `validate`, `modules` and the docs
/// generated from it are useful: names that fit the YAML conventions, a summary on everything,
/// defaults of the field's own type, no default for a secret, sections tied to declared features.
enum SchemaLint {
    static func problems(of module: any ConnectorModule) -> [String] {
        var problems: [String] = []
        if module.name.range(of: "^[a-z][a-z0-9-]{0,62}$", options: .regularExpression) == nil {
            problems.append("module name '\(module.name)' must be lowercase letters, digits and dashes, starting with a letter")
        }
        if module.summary.trimmingCharacters(in: .whitespaces).isEmpty || module.summary.contains("\n") {
            problems.append("the module's summary must be one non-empty line")
        }
        if module.features.isEmpty { problems.append("the module declares no features") }
        if Set(module.features).count != module.features.count { problems.append("a feature is declared twice") }
        for feature in module.features where feature.rawValue.range(of: "^[a-z][a-z0-9-]*$", options: .regularExpression) == nil {
            problems.append("feature '\(feature)' must be lowercase letters, digits and dashes")
        }
        lint(module.settings, path: "", features: Set(module.features), into: &problems)
        return problems
    }

    private static func lint(_ schema: SettingsSchema, path: String, features: Set<Feature>, into problems: inout [String]) {
        var seen: Set<String> = []
        for field in schema.fields {
            let fieldPath = path.isEmpty ? field.name : "\(path).\(field.name)"
            if !seen.insert(field.name).inserted { problems.append("\(fieldPath): declared twice") }
            if ["module", "features"].contains(field.name), path.isEmpty {
                problems.append("\(fieldPath): the name is the host's (module and features are read before the module's settings)")
            }
            if field.name.range(of: "^[a-z][a-z0-9_-]*$", options: .regularExpression) == nil {
                problems.append("\(fieldPath): setting names are lowercase letters, digits, _ and - (snake_case, or a feature name for its section)")
            }
            if field.summary.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("\(fieldPath): no summary (validate and `switchboard modules` show it)") }
            if let feature = field.feature, !features.contains(feature) {
                problems.append("\(fieldPath): tied to feature '\(feature)', which the module does not declare")
            }
            if let value = field.defaultValue, let problem = mismatch(value, field.type) {
                problems.append("\(fieldPath): default \(problem)")
            }
            switch field.type {
            case .object(let nested): lint(nested, path: fieldPath, features: features, into: &problems)
            case .list(.object(let nested)), .map(.object(let nested)): lint(nested, path: fieldPath + "[]", features: features, into: &problems)
            case .oneOf(let words) where words.isEmpty: problems.append("\(fieldPath): oneOf lists no values")
            case .integer(let min?, let max?) where min > max: problems.append("\(fieldPath): integer range \(min)…\(max) is empty")
            default: break
            }
        }
    }

    /// Why `value` cannot be a value of `type`, or nil when it can.
    private static func mismatch(_ value: SettingValue, _ type: SettingType) -> String? {
        switch (type, value) {
        case (.secret, _), (.sensitiveString, _): return "must not be set: a secret has no default (it would be the same everywhere)"
        case (.string, .string(let text)), (.address, .string(let text)), (.path, .string(let text)):
            return text.isEmpty ? "is empty" : nil
        case (.integer(let min, let max), .integer(let number)):
            if let min, number < min { return "\(number) is below the minimum \(min)" }
            if let max, number > max { return "\(number) is above the maximum \(max)" }
            return nil
        case (.boolean, .boolean), (.duration, .duration), (.url, .url): return nil
        case (.url(_, let keywords), .keyword(let word)): return keywords.contains(word) ? nil : "'\(word)' is not one of its keywords"
        case (.oneOf(let words), .string(let word)), (.oneOf(let words), .keyword(let word)):
            return words.contains(word) ? nil : "'\(word)' is not one of \(words.joined(separator: ", "))"
        case (.list(let element), .list(let items)): return items.lazy.compactMap { mismatch($0, element) }.first
        case (.object, .object), (.map, .object): return nil
        default: return "\(value) is not a \(type)"
        }
    }
}
