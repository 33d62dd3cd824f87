/// Where a secret comes from, as written in `connectors.yaml`: `env:NAME`, `file:PATH` or
/// `vault:NAME`. The reference is safe to show; the value it points at is resolved only at use.
public struct SecretReference: Sendable, Hashable, CustomStringConvertible {
    /// The three sources a secret can come from.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// An environment variable of the host process.
        case env
        /// A file, relative to the configuration file's folder unless absolute.
        case file
        /// An entry of the host's encrypted vault.
        case vault
    }

    /// The source.
    public var kind: Kind
    /// The variable name, file path or vault entry name.
    public var name: String

    /// Creates a reference.
    public init(_ kind: Kind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    /// Parses `kind:name`.
    /// - Returns: `nil` when the text does not start with `env:`, `file:` or `vault:`.
    /// - Throws: ``VaultError`` when it does but the name part is unusable.
    public static func parse(_ text: String) throws(VaultError) -> SecretReference? {
        guard let colon = text.firstIndex(of: ":"),
            let kind = Kind(rawValue: String(text[..<colon]))
        else { return nil }
        let name = String(text[text.index(after: colon)...])
        switch kind {
        case .env:
            guard Self.isEnvironmentName(name) else {
                throw VaultError.invalidReference("env: needs a variable name of letters, digits and _ (like env:SF_CONSUMER_KEY)")
            }
        case .file:
            guard !name.isEmpty else { throw VaultError.invalidReference("file: needs a path (like file:keys/sf.pem)") }
        case .vault:
            guard VaultEntryName.isValid(name) else {
                throw VaultError.invalidReference("vault: needs an entry name of 1–64 letters, digits, '.', '_' or '-' (like vault:sf-jwt-key)")
            }
        }
        return SecretReference(kind, name)
    }

    /// Whether `name` is a valid environment variable name (letters, digits, `_`, not starting with a digit).
    public static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !name.isEmpty else { return false }
        return (first == "_" || (first.isASCII && first.properties.isAlphabetic))
            && name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    public var description: String { "\(kind.rawValue):\(name)" }
}

/// Rules for vault entry names.
public enum VaultEntryName {
    /// 1–64 characters of ASCII letters, digits, `.`, `_` and `-`, not starting with `.`.
    public static func isValid(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count), name.first != "." else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-")
        }
    }
}
