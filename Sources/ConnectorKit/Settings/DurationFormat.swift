import Foundation

/// Reads and writes the durations used in `connectors.yaml`: a sequence of number+unit parts,
/// units `ms`, `s`, `m`, `h`, `d` (`500ms`, `60s`, `15m`, `1h30m`, `2d`).
public enum DurationFormat {
    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// Parses a duration; `nil` when the text is not one.
    public static func parse(_ text: String) -> Duration? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        var total: Int64 = 0
        while !rest.isEmpty {
            let digits = rest.prefix(while: \.isASCIIDigit)
            guard !digits.isEmpty, digits.count <= 12, let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unitText = rest.prefix(while: \.isLetter)
            guard let unit = units.first(where: { $0.suffix == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            let (product, overflow) = number.multipliedReportingOverflow(by: unit.milliseconds)
            guard !overflow else { return nil }
            total += product
        }
        return .milliseconds(total)
    }

    /// Formats a duration in the largest exact units (`90s` → `1m30s`).
    public static func format(_ duration: Duration) -> String {
        var ms = duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
        if ms == 0 { return "0s" }
        var out = ""
        for unit in units.reversed() where ms >= unit.milliseconds {
            out += "\(ms / unit.milliseconds)\(unit.suffix)"
            ms %= unit.milliseconds
        }
        return out
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
