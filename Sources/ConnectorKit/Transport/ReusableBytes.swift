#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A byte buffer that keeps its storage between uses: setting or clearing it never frees or
/// reallocates once it is large enough (an `Array`'s `removeAll(keepingCapacity:)` plus `append`
/// costs far more per event on the SSE hot path).
struct ReusableBytes: Sendable, Equatable {
    private var storage: [UInt8] = []
    /// Bytes in use.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    init() {}

    init(_ bytes: some Collection<UInt8>) {
        storage = Array(bytes)
        count = storage.count
    }

    /// Replaces the contents with `bytes`.
    @inline(__always)
    mutating func set(_ bytes: UnsafeRawBufferPointer) {
        if storage.count < bytes.count { storage = [UInt8](repeating: 0, count: Swift.max(bytes.count, 32)) }
        count = bytes.count
        guard let source = bytes.baseAddress, count > 0 else { return }
        storage.withUnsafeMutableBytes { target in _ = memcpy(target.baseAddress!, source, bytes.count) }
    }

    /// Replaces the contents with another buffer's.
    mutating func set(_ other: ReusableBytes) {
        other.withBytes { set($0) }
    }

    mutating func removeAll() { count = 0 }

    /// The bytes in use, lent for the call.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { all in try body(UnsafeRawBufferPointer(rebasing: all[0..<count])) }
    }

    /// Whether the contents equal `bytes`.
    func equals(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == count else { return false }
        guard count > 0 else { return true }
        return storage.withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress!, count) == 0 }
    }

    static func == (lhs: ReusableBytes, rhs: ReusableBytes) -> Bool { rhs.withBytes { lhs.equals($0) } }

    var array: [UInt8] { Array(storage[0..<count]) }
}
