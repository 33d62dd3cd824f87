import ConnectorKit
import Foundation

/// SOQL literals, written the way Salesforce reads them.
public enum SOQLText {
    /// A quoted string literal: `'` and `\` escaped with a backslash; newlines as `\n`.
    public static func quote(_ text: String) -> String {
        var out = "'"
        for character in text {
            switch character {
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.append(character)
            }
        }
        return out + "'"
    }

    /// A dateTime literal (unquoted, UTC, milliseconds): `2026-01-05T10:00:00.000Z`.
    public static func dateTime(_ date: Date) -> String {
        SalesforceDateTime.format(date).replacingOccurrences(of: "+0000", with: "Z")
    }

    /// A dateTime literal in whole seconds, the documented form: `2026-01-05T10:00:00Z` (a fraction is
    /// cut off, not rounded).
    public static func dateTimeSeconds(_ date: Date) -> String {
        let whole = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
        return String(SalesforceDateTime.format(whole).dropLast(9)) + "Z"
    }
}

/// Salesforce's JSON dateTime values: `2026-01-05T10:00:00.000+0000` (also `Z` and `+00:00`).
public enum SalesforceDateTime {
    /// Parses a dateTime into a `Date` with millisecond precision.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[from..<from + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard bytes.count >= 20, let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
              let minute = number(14, 2), let second = number(17, 2), bytes[10] == 84 else { return nil }
        var index = 19
        var millis = 0
        if bytes[index] == 46 {
            var digits = 0
            index += 1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 3 { millis = millis * 10 + Int(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        var offset = 0
        if index < bytes.count, bytes[index] == 43 || bytes[index] == 45 {
            let sign = bytes[index] == 43 ? 1 : -1
            let compact = bytes.count - index - 1 == 4
            guard let h = number(index + 1, 2), let m = number(index + (compact ? 3 : 4), 2) else { return nil }
            offset = sign * (h * 3600 + m * 60)
        } else if !(index < bytes.count && bytes[index] == 90) {
            return nil
        }
        let days = Int(CivilDate.days(year: Int64(year), month: Int64(month), day: Int64(day)))
        let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
        return Date(timeIntervalSince1970: seconds + Double(millis) / 1000)
    }

    /// `2026-01-05T10:00:00.000+0000`.
    public static func format(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = millis / 1000
        let ms = Int(millis - seconds * 1000)
        let secondOfDay = Int(((seconds % 86_400) + 86_400) % 86_400)
        seconds -= Int64(secondOfDay)
        let civil = CivilDate.date(days: seconds / 86_400)
        let (year, month, day) = (Int(civil.year), Int(civil.month), Int(civil.day))
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):"
            + "\(pad(secondOfDay % 60, 2)).\(pad(ms, 3))+0000"
    }
}
