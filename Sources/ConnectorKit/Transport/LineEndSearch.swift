#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds line ends (CR or LF) in one chunk of an event stream, at `memchr` speed.
///
/// Most streams end lines with LF alone, so the search looks for LF with the C library's vector
/// `memchr` and remembers where the next CR is (found once, again only after it is passed): a
/// chunk with no CR costs one extra `memchr` pass that finds nothing. CR-terminated and CRLF
/// streams stay linear (each CR is found once).
struct LineEndSearch {
    private let base: UnsafeRawPointer
    private let count: Int
    /// Offset of the first CR at or after the last search's start; `count` when there is none;
    /// -1 before the first search.
    private var nextCR = -1

    private static let lf: Int32 = 0x0A
    private static let cr: Int32 = 0x0D

    /// A search over `count` bytes at `base`.
    init(_ base: UnsafeRawPointer, count: Int) {
        self.base = base
        self.count = count
    }

    /// The offset of the first CR or LF at or after `start`, or nil when the rest of the chunk
    /// has none.
    @inline(__always)
    mutating func next(from start: Int) -> Int? {
        guard start < count else { return nil }
        if nextCR < start {
            nextCR = memchr(base + start, Self.cr, count - start).map { UnsafeRawPointer($0) - base } ?? count
        }
        if nextCR > start, let lf = memchr(base + start, Self.lf, nextCR - start) {
            return UnsafeRawPointer(lf) - base
        }
        return nextCR < count ? nextCR : nil
    }
}
