import ConnectorKit
import Foundation
import Yams

/// Walks a YAML node tree against a ``SettingsSchema``, producing typed ``SettingValue``s and
/// collecting every problem (it never stops at the first). Each node visited leaves its position
/// under its field path, so later checks can point at it too.
package struct SchemaValidator {
    package let document: YAMLDocument
    package let environment: [String: String]
    /// The folder `path` settings are relative to.
    package var baseDirectory = ""
    package private(set) var diagnostics: [ConfigDiagnostic] = []
    /// Positions of every visited value, by field path.
    package private(set) var locations: [String: SourceLocation] = [:]
    /// Every secret reference found, with its path.
    package private(set) var secretReferences: [(reference: SecretReference, path: String)] = []

    package init(document: YAMLDocument, environment: [String: String]) {
        self.document = document
        self.environment = environment
    }

    // MARK: Reporting

    package func location(of node: Node, offset: Int = 0) -> SourceLocation? {
        guard let mark = node.mark else { return nil }
        return SourceLocation(file: document.file, line: mark.line, column: mark.column + offset)
    }

    package mutating func report(_ path: String, at node: Node?, _ message: String, offset: Int = 0, severity: ConfigDiagnostic.Severity = .error) {
        diagnostics.append(ConfigDiagnostic(
            file: document.file, location: node.flatMap { location(of: $0, offset: offset) }, path: path, message: message,
            severity: severity))
    }

    package mutating func report(_ path: String, at location: SourceLocation?, _ message: String) {
        diagnostics.append(ConfigDiagnostic(file: document.file, location: location, path: path, message: message))
    }

    package static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    package static func kind(of node: Node) -> String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let s) where isNull(s): "nothing"
        case .scalar: "a single value"
        case .alias: "an alias"
        }
    }

    package static func isNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    package static func isNull(_ node: Node) -> Bool { if case .scalar(let s) = node { isNull(s) } else { false } }

    /// Shows a value in a message, shortened; for non-secret fields only.
    package static func show(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\n", with: "⏎")
        return "'" + (clean.count > 60 ? clean.prefix(57) + "…" : clean) + "'"
    }

    // MARK: Mappings

    /// The key/value pairs of a mapping, reporting duplicate and non-text keys.
    package mutating func pairs(of node: Node, path: String, duplicateNoun: String = "key") -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let mapping) = node else { return [] }
        var result: [(String, Node, Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                report(path, at: keyNode, "keys must be plain names, found \(Self.kind(of: keyNode))")
                continue
            }
            if let duplicate = document.duplicates[scalar.string] {
                report(Self.join(path, duplicate.key), at: keyNode,
                       "duplicate \(duplicateNoun) '\(duplicate.key)' (first defined at line \(duplicate.firstLine)); each \(duplicateNoun) may appear once")
                continue
            }
            result.append((scalar.string, keyNode, value))
        }
        return result
    }

    /// Validates a mapping against a schema. `extraKeys` are handled by the caller and not reported.
    package mutating func object(
        _ node: Node, schema: SettingsSchema, path: String, enabledFeatures: Set<Feature>? = nil,
        extraKeys: Set<String> = []
    ) -> SettingsObject {
        var result = SettingsObject()
        locations[path] = location(of: node)
        guard case .mapping = node else {
            report(path, at: node, "expected a mapping of settings, found \(Self.kind(of: node))")
            return result
        }
        var seen = Set<String>()
        for (key, keyNode, value) in pairs(of: node, path: path) {
            seen.insert(key)
            if extraKeys.contains(key) { continue }
            let fieldPath = Self.join(path, key)
            guard let field = schema.field(named: key) else {
                let known = schema.fields.map(\.name) + extraKeys.sorted()
                report(fieldPath, at: keyNode, unknownKeyMessage(key, known: known))
                // A misspelt key is one mistake: don't also report the key it was meant to be as missing.
                if let guess = suggestion(for: key, among: known) { seen.insert(guess) }
                continue
            }
            if let feature = field.feature, let enabled = enabledFeatures, !enabled.contains(feature) {
                report(fieldPath, at: keyNode, "ignored: the \(feature) feature is not enabled on this connector", severity: .warning)
            }
            if Self.isNull(value) {
                if field.isRequired && (field.feature == nil || enabledFeatures?.contains(field.feature!) ?? true) {
                    report(fieldPath, at: keyNode, "needs a value: expected \(field.type)")
                }
                if let fallback = field.defaultValue { result[key] = fallback }
                continue
            }
            if let typed = self.value(value, type: field.type, path: fieldPath) { result[key] = typed }
        }
        for field in schema.fields where !seen.contains(field.name) {
            if let fallback = field.defaultValue {
                result[field.name] = fallback
            } else if case .object(let nested) = field.type, let defaults = nested.sectionDefaults {
                // A section left out, whose every setting has a default, reads as its defaults: modules
                // read each default from the schema, never restate it in code.
                result[field.name] = .object(defaults)
            } else if field.isRequired, field.feature.map({ enabledFeatures?.contains($0) ?? true }) ?? true {
                report(Self.join(path, field.name), at: node, "missing required key '\(field.name)' (\(field.type)): \(field.summary)")
            }
        }
        return result
    }

    package func suggestion(for key: String, among known: [String]) -> String? {
        guard let guess = known.min(by: { editDistance($0, key) < editDistance($1, key) }), editDistance(guess, key) <= 2 else {
            return nil
        }
        return guess
    }

    package func unknownKeyMessage(_ key: String, known: [String]) -> String {
        var message = "unknown key '\(key)'"
        if let guess = suggestion(for: key, among: known) { message += "; did you mean '\(guess)'?" }
        return message + (known.isEmpty ? "; no settings are accepted here" : "; expected one of: " + known.joined(separator: ", "))
    }

    // MARK: Values

    /// A scalar's text with `${…}` expanded, or `nil` after reporting why not.
    package mutating func text(_ node: Node, path: String, expected: SettingType) -> String? {
        guard case .scalar(let scalar) = node else {
            report(path, at: node, "expected \(expected), found \(Self.kind(of: node))")
            return nil
        }
        locations[path] = location(of: node)
        guard Interpolation.needsExpansion(scalar.string) else { return scalar.string }
        switch Interpolation.expand(scalar.string, environment: environment) {
        case .success(let expanded): return expanded
        case .failure(let failure):
            let singleLine = !scalar.string.contains("\n")
            let quote = scalar.style == .singleQuoted || scalar.style == .doubleQuoted ? 1 : 0
            let offset = singleLine && [.plain, .singleQuoted, .doubleQuoted].contains(scalar.style) ? failure.offset + quote : 0
            report(path, at: node, failure.message, offset: offset)
            return nil
        }
    }

    package mutating func value(_ node: Node, type: SettingType, path: String) -> SettingValue? {
        locations[path] = location(of: node)
        switch type {
        case .list(let element):
            guard case .sequence(let sequence) = node else {
                report(path, at: node, "expected \(type), found \(Self.kind(of: node)) (write [a, b] or one '- item' per line)")
                return nil
            }
            return .list(sequence.enumerated().compactMap { index, item in value(item, type: element, path: "\(path)[\(index)]") })
        case .object(let schema):
            return .object(object(node, schema: schema, path: path))
        case .map(let element):
            guard case .mapping = node else {
                report(path, at: node, "expected \(type), found \(Self.kind(of: node))")
                return nil
            }
            var result = SettingsObject()
            for (key, _, item) in pairs(of: node, path: path) {
                if let typed = value(item, type: element, path: Self.join(path, key)) { result[key] = typed }
            }
            return .object(result)
        default:
            guard let text = text(node, path: path, expected: type) else { return nil }
            return scalar(text, node: node, type: type, path: path)
        }
    }

    package mutating func scalar(_ text: String, node: Node, type: SettingType, path: String) -> SettingValue? {
        switch type {
        case .string:
            guard !text.isEmpty else { report(path, at: node, "must not be empty"); return nil }
            return .string(text)
        case .integer(let min, let max):
            guard let number = Int(text) else { report(path, at: node, "expected a whole number, found \(Self.show(text))"); return nil }
            if let min, number < min { report(path, at: node, "must be at least \(min), found \(number)"); return nil }
            if let max, number > max { report(path, at: node, "must be at most \(max), found \(number)"); return nil }
            return .integer(number)
        case .boolean:
            switch text {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            default: report(path, at: node, "expected true or false, found \(Self.show(text))"); return nil
            }
        case .duration:
            guard let duration = DurationFormat.parse(text) else {
                let hint = Int(text) != nil ? " (a number needs a unit: \(text)s, \(text)m …)" : ""
                report(path, at: node, "\(Self.show(text)) is not a duration: expected a number with a unit ms, s, m, h or d, like 30s, 15m, 1h30m\(hint)")
                return nil
            }
            return .duration(duration)
        case .url(let schemes, let keywords):
            if keywords.contains(text) { return .keyword(text) }
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), url.host?.isEmpty == false else {
                report(path, at: node, "\(Self.show(text)) is not a valid URL: expected \(type), like \(schemes.first ?? "https")://login.example.com")
                return nil
            }
            guard schemes.contains(scheme) else {
                report(path, at: node, "URL scheme '\(scheme)' is not accepted here: expected \(schemes.joined(separator: " or "))")
                return nil
            }
            return .url(url)
        case .oneOf(let words):
            guard words.contains(text) else {
                report(path, at: node, "\(Self.show(text)) is not allowed: expected one of: \(words.joined(separator: ", "))")
                return nil
            }
            return .string(text)
        case .path(let mustExist):
            guard !text.isEmpty else { report(path, at: node, "must not be empty"); return nil }
            let resolved = CredentialVault.resolve(text, against: baseDirectory)
            if mustExist, !FileManager.default.fileExists(atPath: resolved) {
                report(path, at: node, "\(Self.show(text)) does not exist (looked for \(resolved))")
                return nil
            }
            return .string(resolved)
        case .address:
            guard ListenAddress(parsing: text) != nil else {
                report(path, at: node, "\(Self.show(text)) is not an address: expected HOST:PORT with a port 0–65535, like 127.0.0.1:8710")
                return nil
            }
            return .string(text)
        case .secret, .sensitiveString:
            do {
                if let reference = try SecretReference.parse(text) {
                    secretReferences.append((reference, path))
                    return .secret(reference)
                }
            } catch {
                report(path, at: node, error.description)
                return nil
            }
            if case .sensitiveString = type { return .sensitive(Secret(text)) }
            // Never echo the value: it may be a pasted secret.
            report(path, at: node, "a literal secret is not accepted here: use a reference env:NAME, file:PATH or vault:NAME (see `switchboard vault set`)")
            return nil
        case .list, .object, .map:
            return value(node, type: type, path: path)
        }
    }
}

/// The number of single-character edits between two strings, for "did you mean".
package func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
