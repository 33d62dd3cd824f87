/// Distinctive fake secrets to plant in environment variables, files and vault entries, and a
/// scanner that finds any of them (or a recognizable piece of one) in captured output.
public struct SecretCanaries: Sendable {
    /// The planted values.
    public let values: [String]

    /// Makes `count` unique canaries of the form `CANARY-<tag>-<random hex>`.
    public init(count: Int = 3, tag: String = "secret") {
        values = (0..<count).map { index in
            "CANARY-\(tag)\(index)-" + (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
        }
    }

    /// The canary values (or any 12-character piece of one) that occur in `text`.
    public func leaks(in text: String) -> [String] {
        values.filter { value in
            if text.contains(value) { return true }
            let characters = Array(value)
            // A 12-character window past the shared prefix is specific to this canary.
            let start = characters.firstIndex(of: "-").map { characters.index(after: $0) } ?? 0
            guard characters.count - start >= 12 else { return false }
            for offset in stride(from: start + 8, through: characters.count - 12, by: 4) {
                if text.contains(String(characters[offset..<offset + 12])) { return true }
            }
            return false
        }
    }
}
