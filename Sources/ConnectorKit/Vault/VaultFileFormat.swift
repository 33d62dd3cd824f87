import Crypto
import Foundation

/// The on-disk form of the vault: JSON with names in clear and each value sealed on its own with
/// AES-256-GCM (random 96-bit nonce per entry, the entry name as additional authenticated data),
/// plus a sealed key check that tells a wrong master key apart from a tampered entry.
struct VaultFileFormat: Codable, Sendable {
    static let currentVersion = 1
    static let formatName = "switchboard-vault"
    static let keyCheckPlaintext = Array("switchboard vault key check v1".utf8)
    static let keyCheckAAD = Array("switchboard-vault:key-check".utf8)

    struct Entry: Codable, Sendable {
        /// base64(nonce ‖ ciphertext ‖ tag)
        var sealed: String
    }

    var format: String
    var version: Int
    var cipher: String
    var keyCheck: String
    var entries: [String: Entry]

    static func entryAAD(_ name: String) -> [UInt8] { Array("switchboard-vault:entry:\(name)".utf8) }

    /// A new, empty vault sealed with `key`.
    static func empty(key: MasterKey) throws -> VaultFileFormat {
        VaultFileFormat(
            format: formatName, version: currentVersion, cipher: "AES-256-GCM",
            keyCheck: try seal(keyCheckPlaintext, key: key, aad: keyCheckAAD), entries: [:])
    }

    static func seal(_ plaintext: [UInt8], key: MasterKey, aad: [UInt8]) throws -> String {
        let box = try AES.GCM.seal(plaintext, using: key.key, nonce: AES.GCM.Nonce(), authenticating: aad)
        guard let combined = box.combined else { throw VaultError.corrupt("-", "sealing produced no output") }
        return combined.base64EncodedString()
    }

    /// Decodes base64 strictly: the text must be the canonical encoding of what it decodes to, so no
    /// altered character goes unnoticed.
    static func strictBase64(_ text: String, path: String, what: String) throws(VaultError) -> Data {
        guard let data = Data(base64Encoded: text), data.base64EncodedString() == text else {
            throw .corrupt(path, "\(what) is not valid base64")
        }
        guard data.count >= 12 + 16 else { throw .corrupt(path, "\(what) is too short") }
        return data
    }

    static func open(_ sealed: Data, key: MasterKey, aad: [UInt8]) -> [UInt8]? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
            let plaintext = try? AES.GCM.open(box, using: key.key, authenticating: aad)
        else { return nil }
        return Array(plaintext)
    }

    /// Parses and checks the structure (not the keys) of a vault file's bytes.
    static func decode(_ data: Data, path: String) throws(VaultError) -> VaultFileFormat {
        let file: VaultFileFormat
        do { file = try JSONDecoder().decode(VaultFileFormat.self, from: data) } catch {
            throw .corrupt(path, "not a vault file: \(Self.describe(error))")
        }
        guard file.format == formatName else { throw .corrupt(path, "unknown format '\(file.format.prefix(40))'") }
        guard file.version == currentVersion else { throw .unsupportedVersion(path, file.version) }
        guard file.cipher == "AES-256-GCM" else { throw .corrupt(path, "unknown cipher '\(file.cipher.prefix(40))'") }
        for name in file.entries.keys where !VaultEntryName.isValid(name) {
            throw .corrupt(path, "invalid entry name")
        }
        // The sealed form is canonical JSON; anything else means the bytes were altered.
        guard (try? file.encoded()) == data else { throw .corrupt(path, "the file is not in the form switchboard writes") }
        return file
    }

    /// Checks that `key` opens this vault.
    func verify(key: MasterKey, path: String) throws(VaultError) {
        let sealed = try Self.strictBase64(keyCheck, path: path, what: "the key check")
        guard Self.open(sealed, key: key, aad: Self.keyCheckAAD) == Self.keyCheckPlaintext else {
            throw .wrongMasterKey(path)
        }
    }

    /// Opens one entry; the caller has verified the key first.
    func open(entry name: String, key: MasterKey, path: String) throws(VaultError) -> Secret {
        guard let entry = entries[name] else { throw .entryNotFound(path, name) }
        let sealed = try Self.strictBase64(entry.sealed, path: path, what: "entry '\(name)'")
        guard let plaintext = Self.open(sealed, key: key, aad: Self.entryAAD(name)) else {
            throw .entryTampered(path, name)
        }
        return Secret(bytes: plaintext)
    }

    /// The plaintext size of each entry, computed from its sealed length (nonce and tag removed).
    func sizes() -> [(name: String, size: Int)] {
        entries.keys.sorted().map { name in
            let sealedLength = (entries[name]!.sealed.utf8.count / 4) * 3
                - entries[name]!.sealed.utf8.reversed().prefix(while: { $0 == UInt8(ascii: "=") }).count
            return (name, max(0, sealedLength - 12 - 16))
        }
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "unexpected value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: "invalid JSON"
        }
    }
}
