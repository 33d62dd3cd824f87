import ConnectorKit
import ModuleProtocol

/// The external module protocol's reader: `LineFramer` fed the input at random splits must cut
/// the same lines as splitting it whole (a small limit, so overflows happen too); every line is
/// read as a JSON-RPC message, and a message written back out reads as the same message.
enum ModuleProtocolTarget {
    static let limit = 4096

    static func run(_ input: [UInt8]) throws(FuzzFinding) {
        let splits = ChunkSplits(input)
        var framer = LineFramer(limit: limit)
        var lines: [[UInt8]] = []
        var overflowed = false
        for chunk in splits.chunks {
            do {
                lines += try framer.feed(chunk)
            } catch {
                overflowed = true
                break
            }
        }
        let whole = wholeLines(splits.payload)
        if overflowed != whole.overflows || (!overflowed && lines != whole.lines) {
            throw FuzzFinding(.moduleProtocol, "LineFramer cut \(JSONTargets.quote(splits.payload)) at \(splits.chunks.map(\.count)) into \(lines.count) lines"
                              + "\(overflowed ? " (overflow)" : ""), not \(whole.lines.count)\(whole.overflows ? " (overflow)" : "")")
        }
        for line in lines {
            guard let message = try? RPCMessage.parse(line) else { continue }
            let again = try? RPCMessage.parse(message.line)
            if again != message {
                throw FuzzFinding(.moduleProtocol, "\(message) written as \(JSONTargets.quote(message.line)) reads back as \(again.map { "\($0)" } ?? "an error")")
            }
        }
    }

    /// The lines of a whole stream (LF-terminated, one trailing CR dropped), and whether a line —
    /// or what follows the last LF — is longer than the limit.
    static func wholeLines(_ payload: [UInt8]) -> (lines: [[UInt8]], overflows: Bool) {
        var pieces = payload.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        let rest = pieces.removeLast()
        var lines: [[UInt8]] = []
        for piece in pieces {
            if piece.count > limit { return (lines, true) }
            lines.append(piece.last == UInt8(ascii: "\r") ? Array(piece.dropLast()) : piece)
        }
        return (lines, rest.count > limit)
    }
}
