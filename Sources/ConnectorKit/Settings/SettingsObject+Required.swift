extension SettingsObject {
    /// The non-empty text at `path`; a misconfiguration naming the field otherwise.
    public func requiredText(_ path: String) throws(ConnectorError) -> String {
        guard let value = value(at: path)?.stringValue, !value.isEmpty else { throw .misconfigured("\(path) is missing", field: path) }
        return value
    }

    /// The secret reference at `path`; a misconfiguration naming the field otherwise.
    public func requiredSecret(_ path: String) throws(ConnectorError) -> SecretReference {
        guard let reference = value(at: path)?.secretValue else { throw .misconfigured("\(path) is missing", field: path) }
        return reference
    }

    /// The URL at `path`, without a trailing slash. The `sandbox` keyword is refused here: only the
    /// switchboard executable (the composition root) can start the sandbox and put its URL in place.
    public func requiredURL(_ path: String) throws(ConnectorError) -> String {
        switch value(at: path) {
        case .url(let url)?:
            let text = url.absoluteString
            return text.hasSuffix("/") ? String(text.dropLast()) : text
        case .keyword("sandbox")?:
            throw .misconfigured("\(path) is `sandbox`, which only the switchboard executable can start; run through `switchboard run`", field: path)
        default:
            throw .misconfigured("\(path) is missing", field: path)
        }
    }

    /// The duration at `path` (the schema's default when the file leaves it out); a misconfiguration otherwise.
    public func requiredDuration(_ path: String) throws(ConnectorError) -> Duration {
        guard let duration = value(at: path)?.durationValue else { throw .misconfigured("\(path) is missing", field: path) }
        return duration
    }

    /// The whole number at `path` (the schema's default when the file leaves it out); a misconfiguration otherwise.
    public func requiredInteger(_ path: String) throws(ConnectorError) -> Int {
        guard let number = value(at: path)?.integerValue else { throw .misconfigured("\(path) is missing", field: path) }
        return number
    }

    /// The list of strings at `path` (the schema's default when left out); a misconfiguration otherwise.
    public func requiredStrings(_ path: String) throws(ConnectorError) -> [String] {
        guard let items = value(at: path)?.listValue else { throw .misconfigured("\(path) is missing", field: path) }
        return items.compactMap(\.stringValue)
    }

    /// The string map at `path` (a `map(.string)` setting; the schema's default when left out).
    public func requiredStringMap(_ path: String) throws(ConnectorError) -> [String: String] {
        guard let object = value(at: path)?.objectValue else { throw .misconfigured("\(path) is missing", field: path) }
        var map: [String: String] = [:]
        for key in object.keys { if let text = object[key]?.stringValue { map[key] = text } }
        return map
    }
}

extension SettingsSchema {
    /// The settings an empty configuration gets: every default, sections included (see
    /// ``sectionDefaults``). Validation fills left-out sections from it; tests start from it; modules
    /// never restate a default.
    public var defaults: SettingsObject {
        var object = SettingsObject()
        for field in fields {
            if let value = field.defaultValue {
                object[field.name] = value
            } else if case .object(let nested) = field.type, let section = nested.sectionDefaults {
                object[field.name] = .object(section)
            }
        }
        return object
    }

    /// What a left-out section of this schema reads as: its defaults, or nil when one of its settings
    /// is required (the section is then absent until written) or none has a default.
    public var sectionDefaults: SettingsObject? {
        guard !fields.contains(where: \.isRequired) else { return nil }
        let object = defaults
        return object.keys.isEmpty ? nil : object
    }
}
