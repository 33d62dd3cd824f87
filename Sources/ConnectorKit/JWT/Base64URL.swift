import Foundation

/// base64url without padding (RFC 4648 §5), as JWS and JWK use it.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encodes bytes (table-driven: this runs for every token the host signs).
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        let count = input.count
        return String(unsafeUninitializedCapacity: (count * 4 + 2) / 3) { output in
            var o = 0
            var i = 0
            while i + 3 <= count {
                let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                output[o] = alphabet[Int(v >> 18)]
                output[o + 1] = alphabet[Int(v >> 12 & 63)]
                output[o + 2] = alphabet[Int(v >> 6 & 63)]
                output[o + 3] = alphabet[Int(v & 63)]
                i += 3
                o += 4
            }
            if count - i == 1 {
                let v = UInt32(input[i]) << 16
                output[o] = alphabet[Int(v >> 18)]
                output[o + 1] = alphabet[Int(v >> 12 & 63)]
                o += 2
            } else if count - i == 2 {
                let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8
                output[o] = alphabet[Int(v >> 18)]
                output[o + 1] = alphabet[Int(v >> 12 & 63)]
                output[o + 2] = alphabet[Int(v >> 6 & 63)]
                o += 3
            }
            return o
        }
    }

    /// Decodes text that uses only the base64url alphabet and no padding; `nil` otherwise.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        guard text.utf8.allSatisfy(isAlphabet), text.utf8.count % 4 != 1 else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        return Data(base64Encoded: standard).map { [UInt8]($0) }
    }

    /// Whether a byte is in the base64url alphabet.
    public static func isAlphabet(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F
    }
}
