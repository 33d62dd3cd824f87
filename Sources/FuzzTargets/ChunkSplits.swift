/// Where an input is cut into chunks, decided by the input itself (so a crash reproduces from the
/// file alone): its first byte seeds the cuts of the rest, 1 to 64 bytes apart, some of them
/// single bytes, so CRLF pairs, UTF-8 sequences and BOMs land across chunk boundaries.
struct ChunkSplits {
    /// The chunks, in order; joined they are the input after its first byte.
    let chunks: [ArraySlice<UInt8>]

    init(_ input: [UInt8]) {
        guard let seed = input.first else {
            chunks = []
            return
        }
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        var chunks: [ArraySlice<UInt8>] = []
        var start = 1
        while start < input.count {
            // xorshift64*: cheap and deterministic.
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            let draw = Int((state &* 0x2545_F491_4F6C_DD1D) >> 58)  // 0…63
            let length = draw < 16 ? 1 : draw
            let end = min(input.count, start + length)
            chunks.append(input[start..<end])
            start = end
        }
        self.chunks = chunks
    }

    /// The input after its first byte.
    var payload: [UInt8] { Array(chunks.joined()) }
}
