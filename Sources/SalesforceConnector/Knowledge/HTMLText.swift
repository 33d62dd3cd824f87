/// Rich-text HTML (Salesforce rich text area fields) as clean plain text: tags removed, block
/// elements and `<br>` as line breaks, list items as `- ` lines, entities decoded, `script` and
/// `style` content dropped, runs of spaces collapsed, at most one blank line in a row.
public enum HTMLText {
    static let blockTags: Set<String> = ["p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "tr", "table",
                                         "blockquote", "pre", "hr", "section", "article", "header", "footer"]

    /// The text of an HTML fragment.
    public static func plainText(_ html: String) -> String {
        var out = ""
        var chars = html.makeIterator()
        var skipping: String?  // inside <script> or <style>
        var pendingSpace = false
        /// Ends the current line (list items, table rows).
        func lineBreak() {
            while out.hasSuffix(" ") { out.removeLast() }
            if out.isEmpty || out.hasSuffix("\n") { return }
            out += "\n"
        }
        /// Ends the paragraph: a blank line follows (paragraphs, headings, lists as a whole).
        func paragraphBreak() {
            lineBreak()
            if out.isEmpty || out.hasSuffix("\n\n") { return }
            out += "\n"
        }
        func emit(_ text: String) {
            for character in text {
                if character == " " || character == "\n" || character == "\t" || character == "\r" {
                    pendingSpace = true
                    continue
                }
                if pendingSpace, !out.isEmpty, !out.hasSuffix("\n"), !out.hasSuffix(" ") { out += " " }
                pendingSpace = false
                out.append(character)
            }
        }
        var text = ""
        while let character = chars.next() {
            if character == "<" {
                var tag = ""
                while let next = chars.next(), next != ">" { tag.append(next) }
                if skipping == nil { emit(decodeEntities(text)) }
                text = ""
                let closing = tag.hasPrefix("/")
                let name = String(tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }).lowercased()
                if let skip = skipping {
                    if closing, name == skip { skipping = nil }
                    continue
                }
                if !closing, name == "script" || name == "style" { skipping = name; continue }
                if blockTags.contains(name) {
                    pendingSpace = false
                    switch name {
                    case "br":
                        while out.hasSuffix(" ") { out.removeLast() }
                        out += "\n"
                    case "li", "tr":
                        lineBreak()
                        if name == "li", !closing { out += "- " }
                    default:
                        paragraphBreak()
                    }
                }
            } else {
                text.append(character)
            }
        }
        if skipping == nil { emit(decodeEntities(text)) }
        var lines = out.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        var result: [String] = []
        for line in lines where !(line.isEmpty && result.last?.isEmpty == true) { result.append(line) }
        return result.joined(separator: "\n")
    }

    static let named: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "ndash": "–",
                                          "mdash": "—", "hellip": "…", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "copy": "©"]

    /// `&amp;`, `&#39;`, `&#x27;` and the common named entities.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "&", let semicolon = text[index...].prefix(12).firstIndex(of: ";") {
                let entity = text[text.index(after: index)..<semicolon]
                var replacement: String?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if entity.hasPrefix("#") {
                    replacement = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else {
                    replacement = named[String(entity)]
                }
                if let replacement {
                    out += replacement
                    index = text.index(after: semicolon)
                    continue
                }
            }
            out.append(character)
            index = text.index(after: index)
        }
        return out
    }
}
