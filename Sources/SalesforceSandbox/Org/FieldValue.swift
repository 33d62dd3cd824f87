import Foundation

/// A field value in the sandbox org, with the JSON shape Salesforce's REST API gives it.
public enum FieldValue: Sendable, Hashable {
    case null
    case string(String)
    case bool(Bool)
    case int(Int)
    case double(Double)
    /// A dateTime, in milliseconds since the epoch (Salesforce keeps millisecond precision).
    case dateTime(Int64)

    /// A dateTime from a `Date`, truncated to milliseconds.
    public static func dateTime(_ date: Date) -> FieldValue { .dateTime(Int64((date.timeIntervalSince1970 * 1000).rounded(.down))) }

    /// Appends the JSON text of the value.
    func writeJSON(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .string(let value): JSONText.writeString(value, to: &out)
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value): out += value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .dateTime(let millis): out += "\""; out += SalesforceDate.format(millis: millis); out += "\""
        }
    }
}

/// Salesforce's dateTime text: `2026-01-05T10:00:00.000+0000` out; several forms in.
enum SalesforceDate {
    /// `yyyy-MM-ddTHH:mm:ss.SSS+0000`.
    static func format(millis: Int64) -> String {
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let ms = Int(millis - seconds * 1000)
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let (year, month, day) = civil(days: days)
        guard (0...9999).contains(year) else {
            func pad(_ value: Int, _ width: Int) -> String {
                let text = String(value)
                return String(repeating: "0", count: max(0, width - text.count)) + text
            }
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):"
                + "\(pad(secondOfDay % 60, 2)).\(pad(ms, 3))+0000"
        }
        return String(unsafeUninitializedCapacity: 28) { write(year: year, month: month, day: day, secondOfDay: secondOfDay, ms: ms, to: $0) }
    }

    /// The 28 bytes of `format(millis:)` written into `buffer`; 0 (nothing written) for a year
    /// outside 0…9999.
    static func write(millis: Int64, to buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let (year, month, day) = civil(days: days)
        guard (0...9999).contains(year) else { return 0 }
        return write(year: year, month: month, day: day, secondOfDay: Int(seconds - Int64(days) * 86_400), ms: Int(millis - seconds * 1000), to: buffer)
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmm+0000`, written digit by digit (the sandbox formats one per row of
    /// every query page); returns 28.
    private static func write(year: Int, month: Int, day: Int, secondOfDay: Int, ms: Int, to buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var index = 0
        func put(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                buffer[index] = UInt8(48 + rest / divisor)
                rest %= divisor
                divisor /= 10
                index += 1
            }
        }
        func put(_ byte: UInt8) {
            buffer[index] = byte
            index += 1
        }
        put(year, 4); put(45); put(month, 2); put(45); put(day, 2); put(84)
        put(secondOfDay / 3600, 2); put(58); put(secondOfDay / 60 % 60, 2); put(58); put(secondOfDay % 60, 2)
        put(46); put(ms, 3); put(43); put(0, 4)
        return index
    }

    /// The civil date of days since 1970-01-01 (Howard Hinnant's algorithm).
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let days = days + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days since 1970-01-01 of a civil date.
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Parses `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm|±hhmm)` into epoch milliseconds.
    static func parse(_ text: String) -> Int64? {
        let chars = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= chars.count else { return nil }
            var value = 0
            for c in chars[from..<from + count] {
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard chars.count >= 20, let year = number(0, 4), chars[4] == 45, let month = number(5, 2), chars[7] == 45,
              let day = number(8, 2), chars[10] == 84, let hour = number(11, 2), chars[13] == 58, let minute = number(14, 2),
              chars[16] == 58, let second = number(17, 2), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
              second < 61 else { return nil }
        var index = 19
        var millis = 0
        if chars[index] == 46 {
            index += 1
            var digits = 0
            while index < chars.count, chars[index] >= 48, chars[index] <= 57 {
                if digits < 3 { millis = millis * 10 + Int(chars[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        guard index < chars.count else { return nil }
        var offsetMinutes = 0
        if chars[index] == 90, index == chars.count - 1 {
            offsetMinutes = 0
        } else if chars[index] == 43 || chars[index] == 45 {
            let sign = chars[index] == 43 ? 1 : -1
            let rest = chars.count - index - 1
            if rest == 5, chars[index + 3] == 58, let h = number(index + 1, 2), let m = number(index + 4, 2) {
                offsetMinutes = sign * (h * 60 + m)
            } else if rest == 4, let h = number(index + 1, 2), let m = number(index + 3, 2) {
                offsetMinutes = sign * (h * 60 + m)
            } else {
                return nil
            }
        } else {
            return nil
        }
        let seconds = Int64(days(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
            - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }
}

/// Minimal JSON text writing (the sandbox keeps field order, so it writes JSON itself).
enum JSONText {
    static func writeString(_ value: String, to out: inout String) {
        // Fast path: nothing to escape (the common case) is appended whole.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out += "\""
            out += value
            out += "\""
            return
        }
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    static func string(_ value: String) -> String {
        var out = ""
        writeString(value, to: &out)
        return out
    }
}
