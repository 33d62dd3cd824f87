import Foundation

import Synchronization

/// Remembers every secret value the host has resolved and scrubs them from text.
///
/// Log handlers run each message and metadata value through ``redact(_:)``, so a secret that a
/// module logs by mistake (after revealing it) still shows as `<redacted>`. Multi-line secrets
/// (PEM keys) are also registered line by line, so a single leaked line is caught too.
public final class SecretRedactor: Sendable {
    /// The process-wide redactor the vault registers into and the host's log handlers read.
    public static let shared = SecretRedactor()

    /// Shorter fragments are not registered: they would redact ordinary words.
    public static let minimumLength = 6

    private let fragments = Mutex<[String]>([])

    /// Creates an empty redactor.
    public init() {}

    /// Registers a secret's text (and each of its long lines) for scrubbing.
    public func register(_ secret: Secret) {
        guard let text = try? secret.revealedString() else { return }
        register(text: text)
    }

    /// Registers raw secret text for scrubbing.
    public func register(text: String) {
        var candidates = [text]
        candidates += text.split(whereSeparator: \.isNewline).map(String.init).filter { $0.count >= 16 }
        let new = candidates.map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.count >= Self.minimumLength }
        guard !new.isEmpty else { return }
        fragments.withLock { list in
            for fragment in new where !list.contains(fragment) { list.append(fragment) }
            list.sort { $0.count > $1.count }  // longest first, so a whole key wins over one of its lines
        }
    }

    /// Whether any secret is registered.
    public var isEmpty: Bool { fragments.withLock { $0.isEmpty } }

    /// The text with every registered secret replaced by `<redacted>`.
    public func redact(_ text: String) -> String {
        let list = fragments.withLock { $0 }
        guard !list.isEmpty else { return text }
        var result = text
        for fragment in list where result.contains(fragment) {
            result = result.replacingOccurrences(of: fragment, with: "<redacted>")
        }
        return result
    }
}
