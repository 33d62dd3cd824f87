import Crypto
import Foundation

/// The 256-bit key that seals the vault's entries. Written as 44 characters of standard base64
/// (or 64 hex digits) in an environment variable or a key file; `switchboard vault init` makes one.
public struct MasterKey: Sendable {
    let key: SymmetricKey

    /// Makes a new random master key.
    public static func generate() -> MasterKey { MasterKey(key: SymmetricKey(size: .bits256)) }

    init(key: SymmetricKey) { self.key = key }

    /// Reads a master key from its text form: base64 of 32 bytes, or 64 hex digits. Surrounding
    /// white space is ignored.
    public init(encoded: Secret) throws(VaultError) {
        let text: String
        do { text = try encoded.revealedString().trimmingCharacters(in: .whitespacesAndNewlines) } catch {
            throw .masterKeyInvalid("it is not text")
        }
        if text.count == 64, let bytes = Self.hexBytes(text) {
            self.key = SymmetricKey(data: bytes)
        } else if let data = Data(base64Encoded: text), data.count == 32 {
            self.key = SymmetricKey(data: data)
        } else {
            throw .masterKeyInvalid("expected 32 random bytes as base64 (44 characters) or hex (64 digits), found \(text.count) characters")
        }
    }

    /// The key as standard base64, for writing to a key file or an environment variable.
    public var encoded: Secret { key.withUnsafeBytes { Secret(Data($0).base64EncodedString()) } }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = hexValue(high), let l = hexValue(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        return bytes.count == 32 ? bytes : nil
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
