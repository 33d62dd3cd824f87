import Foundation
import Synchronization

/// The host's credential vault as modules see it: resolves ``SecretReference``s (`env:`, `file:`,
/// `vault:`) to ``Secret``s at the moment of use, and registers every resolved value with the
/// ``SecretRedactor`` so it can never reach a log line.
///
/// One instance is shared by every connector; it holds no secret values between calls except the
/// master key.
public final class CredentialVault: Sendable, CustomStringConvertible {
    /// Where secrets are found.
    public struct Configuration: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// The encrypted vault file, or `nil` when the configuration declares none.
        public var vaultPath: String?
        /// Where the master key comes from (`env:NAME` or `file:PATH`).
        public var masterKey: SecretReference?
        /// The folder relative `file:` paths are read from (the configuration file's folder).
        public var baseDirectory: String
        /// The environment `env:` references read.
        public var environment: [String: String]

        /// Creates a configuration.
        public init(
            vaultPath: String?, masterKey: SecretReference?, baseDirectory: String,
            environment: [String: String] = ProcessInfo.processInfo.environment
        ) {
            self.vaultPath = vaultPath
            self.masterKey = masterKey
            self.baseDirectory = baseDirectory
            self.environment = environment
        }

        /// Names the vault and the master key's source; never the environment's values.
        public var description: String {
            "vault \(vaultPath ?? "none"), master key \(masterKey?.description ?? "none")"
        }
        public var debugDescription: String { "CredentialVault.Configuration(\(description))" }
        public var customMirror: Mirror {
            Mirror(self, children: ["vaultPath": vaultPath as Any, "masterKey": masterKey as Any, "baseDirectory": baseDirectory])
        }
    }

    /// Where secrets are found.
    public let configuration: Configuration
    private let redactor: SecretRedactor
    private let cachedMasterKey = Mutex<MasterKey?>(nil)

    /// Resolves references somewhere else (an external module's host), when set.
    private let remote: (@Sendable (SecretReference) throws(VaultError) -> Secret)?

    /// A vault whose references another process resolves (an external module asks its host): this
    /// process never reads an environment variable, file or vault entry itself.
    public init(remote: @escaping @Sendable (SecretReference) throws(VaultError) -> Secret, redactor: SecretRedactor = .shared) {
        self.configuration = Configuration(vaultPath: nil, masterKey: nil, baseDirectory: "/", environment: [:])
        self.redactor = redactor
        self.remote = remote
    }

    /// Creates a vault over a configuration. Nothing is read until a secret is resolved.
    public init(configuration: Configuration, redactor: SecretRedactor = .shared) {
        self.remote = nil
        self.configuration = configuration
        self.redactor = redactor
    }

    public var description: String { "CredentialVault(\(configuration.description))" }

    /// Registers, without reading any file or vault entry, every secret that is already in
    /// memory: the values of environment variables named by `env:` references (and by the master
    /// key's reference), so that even a secret nobody resolved cannot reach a log line.
    public func registerEnvironmentSecrets(_ references: [SecretReference]) {
        for reference in references + [configuration.masterKey].compactMap({ $0 }) where reference.kind == .env {
            if let value = configuration.environment[reference.name] { redactor.register(text: value) }
        }
    }

    /// The vault file, when one is configured.
    public var vaultFile: VaultFile? { configuration.vaultPath.map(VaultFile.init(path:)) }

    /// Resolves a reference to its secret value.
    public func resolve(_ reference: SecretReference) throws(VaultError) -> Secret {
        if let remote {
            let secret = try remote(reference)
            redactor.register(secret)
            return secret
        }
        let secret: Secret
        switch reference.kind {
        case .env:
            guard let value = configuration.environment[reference.name] else {
                throw .environmentVariableMissing(reference.name)
            }
            guard value.utf8.count <= VaultError.maximumSecretSize else {
                throw .tooLarge("environment variable \(reference.name)", size: value.utf8.count)
            }
            secret = Secret(value)
        case .file:
            secret = try readSecretFile(resolvePath(reference.name))
        case .vault:
            guard let file = vaultFile else { throw .masterKeyNotConfigured }
            secret = try file.secret(named: reference.name, masterKey: masterKey())
        }
        redactor.register(secret)
        return secret
    }

    /// Checks that a reference points at something that exists, without reading any value
    /// (`vault:` reads entry names only). Returns the problem, or `nil`.
    public func problem(with reference: SecretReference) -> VaultError? {
        switch reference.kind {
        case .env:
            return configuration.environment[reference.name] == nil ? .environmentVariableMissing(reference.name) : nil
        case .file:
            let path = resolvePath(reference.name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                return .fileUnreadable(path, "no such file")
            }
            if isDirectory.boolValue { return .fileUnreadable(path, "it is a folder") }
            if !FileManager.default.isReadableFile(atPath: path) { return .fileUnreadable(path, "permission denied") }
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int,
                size > VaultError.maximumSecretSize
            {
                return .tooLarge("secret file \(path)", size: size)
            }
            return nil
        case .vault:
            guard let file = vaultFile else { return .masterKeyNotConfigured }
            do {
                return try file.contains(reference.name) ? nil : .entryNotFound(file.path, reference.name)
            } catch { return error }
        }
    }

    /// The master key, read once from its reference and kept.
    public func masterKey() throws(VaultError) -> MasterKey {
        if let key = cachedMasterKey.withLock({ $0 }) { return key }
        guard let reference = configuration.masterKey else { throw .masterKeyNotConfigured }
        let encoded: Secret
        switch reference.kind {
        case .env:
            guard let value = configuration.environment[reference.name], !value.isEmpty else {
                throw .masterKeyUnavailable("environment variable \(reference.name) is not set")
            }
            encoded = Secret(value)
        case .file:
            do { encoded = try readSecretFile(resolvePath(reference.name)) } catch {
                throw .masterKeyUnavailable(error.description)
            }
        case .vault:
            throw .masterKeyUnavailable("the master key cannot itself live in the vault; use env: or file:")
        }
        let key = try MasterKey(encoded: encoded)
        redactor.register(encoded)
        cachedMasterKey.withLock { $0 = key }
        return key
    }

    /// A path as written in the configuration, made absolute against ``Configuration/baseDirectory``.
    public func resolvePath(_ path: String) -> String { Self.resolve(path, against: configuration.baseDirectory) }

    /// `path` made absolute against `base` (returned as is when already absolute).
    public static func resolve(_ path: String, against base: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: base).appendingPathComponent(path).path
    }

    private func readSecretFile(_ path: String) throws(VaultError) -> Secret {
        if let problem = problem(with: SecretReference(.file, path)) { throw problem }
        guard var data = FileManager.default.contents(atPath: path) else {
            throw .fileUnreadable(path, "cannot read")
        }
        while let last = data.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { data.removeLast() }
        return Secret(bytes: data)
    }
}
