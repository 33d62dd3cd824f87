#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A byte buffer that keeps its storage between uses: setting it never frees or
/// reallocates once it is large enough (an `Array`'s `removeAll(keepingCapacity:)` plus `append`
/// costs far more per event on the SSE hot path).
struct ReusableBytes: Sendable {
    private var storage: [UInt8] = []
    /// Bytes in use.
    private(set) var count = 0

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

    /// The bytes in use, lent for the call.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { all in try body(UnsafeRawBufferPointer(rebasing: all[0..<count])) }
    }
}
