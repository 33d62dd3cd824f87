/// Why a secret could not be stored or resolved. Messages name files, variables and entries —
/// never a secret value.
public struct VaultError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Code: Sendable, Hashable {
        case vaultMissing(path: String)
        case vaultExists(path: String)
        case corrupt(path: String, reason: String)
        case unsupportedVersion(path: String, version: Int)
        case wrongMasterKey(path: String)
        case entryTampered(path: String, name: String)
        case entryNotFound(path: String, name: String)
        case invalidEntryName(String)
        case tooLarge(what: String, size: Int)
        case masterKeyNotConfigured
        case masterKeyUnavailable(String)
        case masterKeyInvalid(String)
        case invalidReference(String)
        case environmentVariableMissing(String)
        case fileUnreadable(path: String, reason: String)
        case io(path: String, reason: String)
        case notText
        case refusedByHost(String)
    }

    let code: Code

    /// The largest secret the vault stores or resolves: 10 KiB. A 4096-bit RSA private key in PEM is about 3.3 KiB.
    public static let maximumSecretSize = 10 * 1024

    static func vaultMissing(_ path: String) -> Self { .init(code: .vaultMissing(path: path)) }
    static func vaultExists(_ path: String) -> Self { .init(code: .vaultExists(path: path)) }
    static func corrupt(_ path: String, _ reason: String) -> Self { .init(code: .corrupt(path: path, reason: reason)) }
    static func unsupportedVersion(_ path: String, _ version: Int) -> Self { .init(code: .unsupportedVersion(path: path, version: version)) }
    static func wrongMasterKey(_ path: String) -> Self { .init(code: .wrongMasterKey(path: path)) }
    static func entryTampered(_ path: String, _ name: String) -> Self { .init(code: .entryTampered(path: path, name: name)) }
    static func entryNotFound(_ path: String, _ name: String) -> Self { .init(code: .entryNotFound(path: path, name: name)) }
    static func invalidEntryName(_ name: String) -> Self { .init(code: .invalidEntryName(name)) }
    static func tooLarge(_ what: String, size: Int) -> Self { .init(code: .tooLarge(what: what, size: size)) }
    static let masterKeyNotConfigured = Self(code: .masterKeyNotConfigured)
    static func masterKeyUnavailable(_ why: String) -> Self { .init(code: .masterKeyUnavailable(why)) }
    /// The host an external module asked refused or failed to resolve the reference.
    public static func refusedByHost(_ why: String) -> Self { .init(code: .refusedByHost(why)) }
    static func masterKeyInvalid(_ why: String) -> Self { .init(code: .masterKeyInvalid(why)) }
    static func invalidReference(_ why: String) -> Self { .init(code: .invalidReference(why)) }
    static func environmentVariableMissing(_ name: String) -> Self { .init(code: .environmentVariableMissing(name)) }
    static func fileUnreadable(_ path: String, _ reason: String) -> Self { .init(code: .fileUnreadable(path: path, reason: reason)) }
    static func io(_ path: String, _ reason: String) -> Self { .init(code: .io(path: path, reason: reason)) }
    static let notText = Self(code: .notText)

    /// Whether the error means the vault file or an entry was altered or is unreadable as a vault.
    public var isTampering: Bool {
        switch code {
        case .corrupt, .entryTampered: true
        default: false
        }
    }
    /// Whether the error means the master key does not open this vault.
    public var isWrongMasterKey: Bool { if case .wrongMasterKey = code { true } else { false } }
    /// Whether the error means a named entry does not exist.
    public var isEntryNotFound: Bool { if case .entryNotFound = code { true } else { false } }
    /// Whether the error means a secret exceeded ``maximumSecretSize``.
    public var isTooLarge: Bool { if case .tooLarge = code { true } else { false } }

    public var description: String {
        switch code {
        case .vaultMissing(let path):
            "no vault at \(path); create one with `switchboard vault init`"
        case .vaultExists(let path):
            "a vault already exists at \(path); refusing to overwrite it"
        case .corrupt(let path, let reason):
            "the vault \(path) is corrupt or was modified outside switchboard (\(reason)); restore it from a backup"
        case .unsupportedVersion(let path, let version):
            "the vault \(path) has format version \(version), which this switchboard does not read"
        case .wrongMasterKey(let path):
            "the master key does not open the vault \(path) (wrong key, or the vault's key check was altered)"
        case .entryTampered(let path, let name):
            "vault entry '\(name)' in \(path) failed authentication: it was modified outside switchboard; set it again"
        case .entryNotFound(let path, let name):
            "no entry '\(name)' in the vault \(path); add it with `switchboard vault set \(name) --from-file PATH`"
        case .invalidEntryName(let name):
            "'\(name.prefix(80))' is not a valid vault entry name: use 1–64 letters, digits, '.', '_' or '-'"
        case .tooLarge(let what, let size):
            "\(what) is \(size) bytes; secrets and private keys are limited to \(Self.maximumSecretSize) bytes (10 KiB) — a 4096-bit RSA key in PEM is about 3.3 KiB, so check that this is the right file"
        case .masterKeyNotConfigured:
            "no vault master key is configured (vault.master_key in connectors.yaml, e.g. env:SWITCHBOARD_MASTER_KEY)"
        case .masterKeyUnavailable(let why):
            "the vault master key is unavailable: \(why)"
        case .refusedByHost(let why):
            "the host did not resolve the secret: \(why)"
        case .masterKeyInvalid(let why):
            "the vault master key is invalid: \(why); `switchboard vault init` prints a new one"
        case .invalidReference(let why):
            "invalid secret reference: \(why)"
        case .environmentVariableMissing(let name):
            "environment variable \(name) is not set"
        case .fileUnreadable(let path, let reason):
            "cannot read secret file \(path): \(reason)"
        case .io(let path, let reason):
            "cannot write \(path): \(reason)"
        case .notText:
            "the secret is not UTF-8 text"
        }
    }
}
