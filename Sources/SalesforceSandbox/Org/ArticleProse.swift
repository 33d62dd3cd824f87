import Foundation

/// Generated help-desk prose for knowledge article bodies of realistic size, so search is measured
/// against text with the shape of real text: a few words in nearly every article, most words rare.
///
/// Words are drawn from ``vocabulary`` with probability falling as 1/rank (Zipf's law, which
/// natural language follows): common English words first, then help-desk terms, then invented
/// words for the long tail. The same seed always gives the same text.
public enum ArticleProse {
    /// Every word the prose uses, most frequent first.
    public static let vocabulary: [String] = common + terms + invented

    static let common = [
        "the", "to", "and", "a", "of", "your", "is", "in", "for", "on", "it", "you", "this", "with", "that", "if",
        "be", "can", "from", "or", "not", "are", "when", "then", "after", "before", "check", "open", "select", "use",
    ]

    static let terms = [
        "restart", "settings", "account", "password", "device", "network", "connection", "error", "update", "install",
        "client", "server", "login", "reset", "access", "support", "laptop", "printer", "driver", "email", "calendar",
        "browser", "certificate", "vpn", "wifi", "battery", "screen", "keyboard", "monitor", "dock", "cable", "power",
        "license", "software", "backup", "restore", "folder", "drive", "sync", "profile", "permission", "token",
        "authenticator", "mailbox", "meeting", "expense", "travel", "booking", "benefits", "payroll", "badge",
        "firewall", "proxy", "encryption", "disk", "memory", "storage", "invoice", "approval", "manager", "ticket",
    ]

    /// Three-syllable words from a fixed syllable set: 4,096 of them, none an English word.
    static let invented: [String] = {
        let syllables = ["ka", "lo", "mi", "ner", "tus", "ba", "re", "vi", "so", "dan", "pel", "gor", "fi", "ul", "zem", "tra"]
        return (0..<4096).map { n in syllables[n >> 8] + syllables[(n >> 4) & 15] + syllables[n & 15] }
    }()

    /// An article body: a heading and paragraphs of `words` words in all, as HTML with the markup
    /// real bodies carry (bold words, escaped ampersands, a list).
    static func body(topic: String, words: Int, seed: UInt64) -> String {
        var random = SplitMix64(seed: seed)
        let scale = log(Double(vocabulary.count))
        func word() -> String {
            let unit = Double(random.next() >> 11) / Double(1 << 53)
            return vocabulary[min(vocabulary.count - 1, Int(exp(unit * scale)) - 1)]
        }
        func sentence(_ length: Int) -> String {
            var words: [String] = []
            for index in 0..<length {
                var text = word()
                if index == 0 { text = text.prefix(1).uppercased() + text.dropFirst() }
                if random.next() % 25 == 0 { text = "<b>\(text)</b>" }
                if random.next() % 60 == 0 { text += " &amp;" }
                words.append(text)
            }
            return words.joined(separator: " ") + "."
        }
        var html = "<h2>\(topic)</h2>"
        var written = 0
        while written < words {
            // Paragraphs of 5-8 sentences; every fifth block is a list of steps instead.
            let isList = random.next() % 5 == 0
            var block: [String] = []
            for _ in 0..<(5 + Int(random.next() % 4)) where written < words {
                let length = min(words - written, 6 + Int(random.next() % 10))
                block.append(sentence(length))
                written += length
            }
            html += isList ? "<ul><li>" + block.joined(separator: "</li><li>") + "</li></ul>" : "<p>" + block.joined(separator: " ") + "</p>"
        }
        return html
    }
}
