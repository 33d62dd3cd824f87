/// Splits a byte stream into lines, refusing any line longer than a limit (without buffering it).
public struct LineFramer: Sendable {
    /// The longest line accepted, in bytes (8 MiB by default).
    public let limit: Int
    private var pending: [UInt8] = []

    /// The default limit: 8 MiB.
    public static let defaultLimit = 8 << 20

    /// A line was longer than the limit.
    public struct Overflow: Error, Sendable, CustomStringConvertible {
        /// The limit.
        public let limit: Int
        public var description: String { "a line longer than \(limit) bytes" }
    }

    /// Creates a framer.
    public init(limit: Int = LineFramer.defaultLimit) { self.limit = limit }

    /// Feeds bytes; returns the complete lines (without `\n`, a trailing `\r` removed).
    /// - Throws: ``Overflow`` as soon as the current line passes the limit.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(Overflow) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            pending.append(contentsOf: bytes[start..<newline])
            guard pending.count <= limit else { throw Overflow(limit: limit) }
            if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
            lines.append(pending)
            pending.removeAll(keepingCapacity: true)
            start = bytes.index(after: newline)
        }
        pending.append(contentsOf: bytes[start...])
        guard pending.count <= limit else { throw Overflow(limit: limit) }
        return lines
    }
}
