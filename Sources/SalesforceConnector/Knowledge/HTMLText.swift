/// Rich-text HTML (Salesforce rich text area fields) as clean plain text: tags removed, block
/// elements and `<br>` as line breaks, list items as `- ` lines, entities decoded, `script` and
/// `style` content dropped, runs of white space (no-break spaces and CR LF included) collapsed to
/// one space, at most one blank line in a row.
///
/// One pass over the UTF-8 bytes (markup is ASCII, so cutting at ASCII bytes never splits a
/// character): a knowledge load converts megabytes of bodies, and doing it by `Character` cost
/// a 10,000-article load most of its time.
public enum HTMLText {
    /// The text of an HTML fragment.
    public static func plainText(_ html: String) -> String {
        var html = html
        var writer = TextWriter()
        html.withUTF8 { writer.convert($0) }
        return writer.text()
    }

    static let named: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–",
                                          "mdash": "—", "hellip": "…", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "copy": "©"]

    /// The text an entity (`amp`, `#39`, `#x27`, without `&` and `;`) stands for; nil when unknown.
    static func entity(_ name: Substring) -> String? {
        // Digits only: UInt32(_:radix:) would also take a sign (`&#+65;`), which no browser reads as a character.
        if name.hasPrefix("#x") || name.hasPrefix("#X") {
            let digits = name.dropFirst(2)
            guard digits.allSatisfy(\.isHexDigit) else { return nil }
            return UInt32(digits, radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return UInt32(digits).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
        return named[String(name)]
    }
}

/// The converter's output and state.
private struct TextWriter {
    private var out: [UInt8] = []
    private var pendingSpace = false

    private static let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), amp = UInt8(ascii: "&"), semicolon = UInt8(ascii: ";")
    private static let space = UInt8(ascii: " "), newline = UInt8(ascii: "\n"), slash = UInt8(ascii: "/")

    /// Block elements: each ends a line or a paragraph.
    private static let blockTags: Set<[UInt8]> = Set(["p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "tr", "table",
                                                      "blockquote", "pre", "hr", "section", "article", "header", "footer"].map { Array($0.utf8) })
    private static let script = Array("script".utf8), style = Array("style".utf8)
    private static let br = Array("br".utf8), li = Array("li".utf8), tr = Array("tr".utf8)

    mutating func convert(_ input: UnsafeBufferPointer<UInt8>) {
        out.reserveCapacity(input.count)
        var skipping: [UInt8]?  // inside <script> or <style>
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == Self.lt {
                // The tag runs to its '>' (or the end of the input).
                var end = index + 1
                while end < input.count, input[end] != Self.gt { end += 1 }
                var start = index + 1
                let closing = start < end && input[start] == Self.slash
                while start < end, input[start] == Self.slash { start += 1 }
                var name: [UInt8] = []
                while start < end, Self.isNameByte(input[start]) {
                    name.append(input[start] | (input[start] < 0x80 ? 0x20 : 0))  // ASCII lowercased
                    start += 1
                }
                index = end + 1
                if let skip = skipping {
                    if closing, name == skip { skipping = nil }
                    continue
                }
                if !closing, name == Self.script || name == Self.style {
                    skipping = name
                    continue
                }
                if Self.blockTags.contains(name) { block(name, closing: closing) }
            } else if skipping != nil {
                index += 1
            } else if byte == Self.amp, let (text, length) = Self.entity(in: input, at: index) {
                for byte in text.utf8 { emit(byte) }
                index += length
            } else if byte == 0xC2, index + 1 < input.count, input[index + 1] == 0xA0 {  // U+00A0 no-break space
                pendingSpace = true
                index += 2
            } else {
                emit(byte)
                index += 1
            }
        }
    }

    /// Letters and digits of a tag name; bytes of non-ASCII letters included.
    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), 0x80...: true
        default: false
        }
    }

    /// The entity at `index` (an '&') and the bytes it spans, when it is one: a ';' within the
    /// next eleven bytes, before any tag, closing a known name or a valid code point.
    private static func entity(in input: UnsafeBufferPointer<UInt8>, at index: Int) -> (String, Int)? {
        var end = index + 1
        while end < min(input.count, index + 12), input[end] != semicolon, input[end] != lt { end += 1 }
        guard end < input.count, input[end] == semicolon else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: input[(index + 1)..<end]), as: UTF8.self)
        return HTMLText.entity(name[...]).map { ($0, end - index + 1) }
    }

    /// One byte of text: white space becomes one pending space, written before the next text on the same line.
    private mutating func emit(_ byte: UInt8) {
        switch byte {
        case Self.space, Self.newline, UInt8(ascii: "\t"), UInt8(ascii: "\r"):
            pendingSpace = true
        default:
            if pendingSpace, let last = out.last, last != Self.newline, last != Self.space { out.append(Self.space) }
            pendingSpace = false
            out.append(byte)
        }
    }

    private mutating func block(_ name: [UInt8], closing: Bool) {
        pendingSpace = false
        if name == Self.br {
            trimTrailingSpaces()
            out.append(Self.newline)
        } else if name == Self.li || name == Self.tr {
            lineBreak()
            if name == Self.li, !closing { out += [UInt8(ascii: "-"), Self.space] }
        } else {
            paragraphBreak()
        }
    }

    private mutating func trimTrailingSpaces() {
        while out.last == Self.space { out.removeLast() }
    }

    /// Ends the current line (list items, table rows).
    private mutating func lineBreak() {
        trimTrailingSpaces()
        guard let last = out.last, last != Self.newline else { return }
        out.append(Self.newline)
    }

    /// Ends the paragraph: a blank line follows (paragraphs, headings, lists as a whole).
    private mutating func paragraphBreak() {
        lineBreak()
        guard !out.isEmpty, !(out.count >= 2 && out[out.count - 2] == Self.newline && out[out.count - 1] == Self.newline) else { return }
        out.append(Self.newline)
    }

    /// The lines written, each trimmed, without blank lines at either end or two in a row.
    func text() -> String {
        var result: [UInt8] = []
        result.reserveCapacity(out.count)
        var blankPending = false
        for line in out.split(separator: Self.newline, omittingEmptySubsequences: false) {
            var line = line[...]
            while line.first == Self.space { line = line.dropFirst() }
            while line.last == Self.space { line = line.dropLast() }
            if line.isEmpty {
                blankPending = !result.isEmpty
                continue
            }
            if !result.isEmpty { result += blankPending ? [Self.newline, Self.newline] : [Self.newline] }
            blankPending = false
            result += line
        }
        return String(decoding: result, as: UTF8.self)
    }
}
