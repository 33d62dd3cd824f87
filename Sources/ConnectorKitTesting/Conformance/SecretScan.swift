import ConnectorKit
import Foundation

/// The secret values a connector's settings lead to, and a scan for any of them in text.
///
/// An `env:` reference the test environment does not set gets a planted canary value; values the
/// test provides (and `file:` contents) are scanned too. A multi-line secret such as a PEM key is
/// also found by any one of its lines, so a log that prints one line of a key is caught.
struct SecretScan: Sendable {
    /// The environment with canaries planted.
    let environment: [String: String]
    /// What to look for.
    private let needles: [String]

    init(settings: SettingsObject, environment: [String: String], baseDirectory: String) {
        var environment = environment
        var needles: [String] = []
        var references: [SecretReference] = []
        var literals: [Secret] = []
        Self.collect(.object(settings), references: &references, literals: &literals)
        let canaries = SecretCanaries(count: references.count, tag: "conformance")
        for (index, reference) in references.enumerated() {
            switch reference.kind {
            case .env:
                if environment[reference.name] == nil { environment[reference.name] = canaries.values[index] }
                needles += Self.pieces(of: environment[reference.name] ?? "")
            case .file:
                let path = CredentialVault.resolve(reference.name, against: baseDirectory)
                needles += Self.pieces(of: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
            default:
                break
            }
        }
        for literal in literals { needles += Self.pieces(of: (try? literal.revealedString()) ?? "") }
        self.environment = environment
        self.needles = Array(Set(needles))
    }

    /// The pieces of `text` that are secret: the whole value, and each long line of a multi-line one
    /// (not PEM armour lines, which every key shares).
    private static func pieces(of text: String) -> [String] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count >= 6 else { return [] }
        var pieces = [trimmed]
        let lines = trimmed.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        if lines.count > 1 { pieces += lines.filter { $0.count >= 24 && !$0.hasPrefix("-----") } }
        return pieces
    }

    private static func collect(_ value: SettingValue, references: inout [SecretReference], literals: inout [Secret]) {
        switch value {
        case .secret(let reference): references.append(reference)
        case .sensitive(let secret): literals.append(secret)
        case .list(let items): for item in items { collect(item, references: &references, literals: &literals) }
        case .object(let object):
            for key in object.keys { if let item = object[key] { collect(item, references: &references, literals: &literals) } }
        default: break
        }
    }

    /// Whether any secret value occurs; returns a description of where (never the value).
    func leaks(in text: String, place: String) -> String? {
        let found = needles.filter { text.contains($0) }
        guard !found.isEmpty else { return nil }
        return "a secret value (\(found.map { "\($0.count) characters" }.joined(separator: ", "))) appeared in \(place)"
    }

    /// Whether there is anything to scan for.
    var isEmpty: Bool { needles.isEmpty }
}
