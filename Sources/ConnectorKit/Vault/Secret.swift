/// A secret value (a private key, a token, a password) that cannot leak by accident.
///
/// Its `description`, `debugDescription`, `dump` output, string interpolation and `Encodable` form
/// all say `<redacted>`. The bytes are reachable only through the explicitly named
/// ``withRevealedBytes(_:)`` and ``revealedString()``.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable,
    Encodable
{
    private let bytes: [UInt8]

    /// Wraps bytes as a secret.
    public init(bytes: some Sequence<UInt8>) { self.bytes = Array(bytes) }

    /// Wraps a string (as UTF-8) as a secret.
    public init(_ string: String) { self.bytes = Array(string.utf8) }

    /// The size in bytes (safe to show: `vault list` prints it).
    public var byteCount: Int { bytes.count }

    /// Whether the secret is empty.
    public var isEmpty: Bool { bytes.isEmpty }

    /// Calls `body` with the secret bytes. Do not store or log them.
    public func withRevealedBytes<Result>(_ body: ([UInt8]) throws -> Result) rethrows -> Result {
        try body(bytes)
    }

    /// The secret as UTF-8 text. Do not store or log it.
    /// - Throws: ``VaultError`` when the bytes are not valid UTF-8.
    public func revealedString() throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw VaultError.notText
        }
        return text
    }

    /// Compares two secrets in time that depends only on their lengths.
    public func constantTimeEquals(_ other: Secret) -> Bool {
        guard bytes.count == other.bytes.count else { return false }
        var difference: UInt8 = 0
        for index in bytes.indices { difference |= bytes[index] ^ other.bytes[index] }
        return difference == 0
    }

    /// Equality in constant time (for equal lengths).
    public static func == (lhs: Secret, rhs: Secret) -> Bool { lhs.constantTimeEquals(rhs) }

    /// Hashes the length only, so a hash value reveals nothing of the content.
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes.count) }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "Secret(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Encodes as the string `<redacted>`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode("<redacted>")
    }
}
