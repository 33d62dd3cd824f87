#if arch(x86_64)
import _Builtin_intrinsics.intel

/// Finds line ends (CR or LF) in one chunk of an event stream with SSE2: each 64-byte block is
/// turned into one 64-bit mask of its line ends, and successive line ends are read off the mask
/// (count trailing zeros) — no call and no rescan per line, which `memchr` per line costs on
/// streams of many short lines (`id:`, `event:`, blank lines, pings).
///
/// x86-64 only (SSE2 is part of its baseline); ``LineEndSearch`` is the portable equivalent and
/// the tests hold the two to the same answers.
struct LineEndMask {
    private let base: UnsafeRawPointer
    private let count: Int
    /// Offset of the block `mask` describes (a multiple of 64), or -1 before the first search.
    private var blockStart = -1
    /// Line ends of the current block at or after the last answer, one bit per byte.
    private var mask: UInt64 = 0

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
        var block = start & ~63
        if block != blockStart {
            blockStart = block
            mask = lineEnds(at: block)
        }
        // Drop the bits before `start` (always fewer than 64: start is inside the block).
        var pending = mask & (~0 << UInt64(start - block))
        while pending == 0 {
            block += 64
            guard block < count else {
                blockStart = block
                mask = 0
                return nil
            }
            blockStart = block
            mask = lineEnds(at: block)
            pending = mask
        }
        mask = pending
        return block + pending.trailingZeroBitCount
    }

    /// The line-end mask of the 64 bytes at `offset` (bytes past the chunk's end count as none).
    @inline(__always)
    private func lineEnds(at offset: Int) -> UInt64 {
        guard offset + 64 <= count else { return tailLineEnds(at: offset) }
        let pointer = base + offset
        let a = Self.lineEnds16(pointer)
        let b = Self.lineEnds16(pointer + 16)
        let c = Self.lineEnds16(pointer + 32)
        let d = Self.lineEnds16(pointer + 48)
        return a | b << 16 | c << 32 | d << 48
    }

    /// The mask of a block that runs past the chunk's end: byte by byte, at most 63 bytes.
    private func tailLineEnds(at offset: Int) -> UInt64 {
        var mask: UInt64 = 0
        for index in offset..<count {
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            if byte == 0x0A || byte == 0x0D { mask |= 1 << UInt64(index - offset) }
        }
        return mask
    }

    @inline(__always)
    private static func lineEnds16(_ pointer: UnsafeRawPointer) -> UInt64 {
        let bytes = unsafeBitCast(pointer.loadUnaligned(as: SIMD16<UInt8>.self), to: __m128i.self)
        let hits = _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(0x0A)), _mm_cmpeq_epi8(bytes, _mm_set1_epi8(0x0D)))
        return UInt64(UInt32(bitPattern: _mm_movemask_epi8(hits)))
    }
}
#endif
