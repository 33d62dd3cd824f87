#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Where formatted log lines go: standard error by default, or any closure (tests). Lines are
/// written whole, one at a time.
public final class LogOutput: Sendable {
    private let lock = Mutex(())
    private let sink: @Sendable (String) -> Void

    /// Creates an output that hands each line (without newline) to `sink`.
    public init(_ sink: @escaping @Sendable (String) -> Void) { self.sink = sink }

    /// Standard error, unbuffered.
    public static let standardError = LogOutput { line in
        var text = line + "\n"
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { if errno == EINTR { continue } else { return } }
                offset += written
            }
        }
    }

    func write(_ line: String) { lock.withLock { _ in sink(line) } }
}
