#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The event type names a stream has used, each kept as bytes and as a string made once: streams
/// repeat a few types, so an event costs a comparison or two, with no copy, allocation or
/// reference count. Entry 0 is `message`, the type of an event without `event:`.
struct SSETypeNames {
    /// How each name (after `message`) is found: its length and first eight bytes compare in
    /// registers; only longer names go on to compare the rest.
    private struct Key {
        var count: Int
        var prefix: UInt64
        var start: Int
    }

    /// The names' bytes, one after another.
    private var bytes: [UInt8] = []
    /// One key per name after `message`: `keys[i]` describes `names[i + 1]`.
    private var keys: [Key] = []
    /// The names as strings; `names[0]` is `message`.
    private(set) var names: [String] = ["message"]
    /// Names kept before the table starts over (a stream that invents types does not grow it).
    private static let capacity = 32

    /// The index of the name in `value` (not empty), added when new. Valid until the next call.
    mutating func index(of value: UnsafeRawBufferPointer) -> Int {
        let prefix = Self.prefix(value)
        for (index, key) in keys.enumerated() where key.count == value.count && key.prefix == prefix {
            if value.count <= 8 || restMatches(key, value) { return index + 1 }
        }
        if keys.count >= Self.capacity {
            bytes.removeAll(keepingCapacity: true)
            keys.removeAll(keepingCapacity: true)
            names.removeSubrange(1...)
        }
        keys.append(Key(count: value.count, prefix: prefix, start: bytes.count))
        bytes.append(contentsOf: UnsafeBufferPointer(start: value.baseAddress!.assumingMemoryBound(to: UInt8.self), count: value.count))
        names.append(String(decoding: value, as: UTF8.self))
        return names.count - 1
    }

    /// The first eight bytes as a word, zero-padded when shorter.
    @inline(__always)
    private static func prefix(_ value: UnsafeRawBufferPointer) -> UInt64 {
        if value.count >= 8 { return value.loadUnaligned(as: UInt64.self) }
        var word: UInt64 = 0
        for index in 0..<value.count { word |= UInt64(value[index]) << UInt64(index * 8) }
        return word
    }

    /// Whether the bytes after the first eight match.
    @inline(__always)
    private func restMatches(_ key: Key, _ value: UnsafeRawBufferPointer) -> Bool {
        bytes.withUnsafeBytes { memcmp($0.baseAddress! + key.start + 8, value.baseAddress! + 8, value.count - 8) == 0 }
    }
}
