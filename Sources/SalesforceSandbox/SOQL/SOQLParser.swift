/// Parses the SOQL subset of ``SOQLQuery``. Errors carry Salesforce's `MALFORMED_QUERY` wording.
struct SOQLParser {
    struct Failure: Error, Sendable {
        let message: String
    }

    enum Token: Sendable, Hashable {
        case word(String)       // identifiers and keywords
        case string(String)     // 'quoted'
        case number(Double)
        case dateTime(Int64)
        case date(Int64)
        case symbol(String)     // ( ) , = != <> < <= > >=
    }

    private var tokens: [Token]
    private var index = 0

    static func parse(_ text: String) throws(Failure) -> SOQLQuery {
        var parser = SOQLParser(tokens: try lex(text))
        return try parser.query()
    }

    private init(tokens: [Token]) { self.tokens = tokens }

    // MARK: Lexer

    static func lex(_ text: String) throws(Failure) -> [Token] {
        let chars = Array(text.unicodeScalars)
        var tokens: [Token] = []
        var i = 0
        func isWordChar(_ c: Unicode.Scalar) -> Bool {
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_" || c == "."
        }
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\n" || c == "\t" || c == "\r" { i += 1; continue }
            if c == "'" {
                var value = ""
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == "\\", i + 1 < chars.count {
                        let next = chars[i + 1]
                        switch next {
                        case "n": value += "\n"
                        case "t": value += "\t"
                        case "r": value += "\r"
                        default: value.unicodeScalars.append(next)
                        }
                        i += 2
                        continue
                    }
                    if chars[i] == "'" { closed = true; i += 1; break }
                    value.unicodeScalars.append(chars[i])
                    i += 1
                }
                guard closed else { throw Failure(message: "unexpected end of query: unterminated string literal") }
                tokens.append(.string(value))
                continue
            }
            if "(),".unicodeScalars.contains(c) { tokens.append(.symbol(String(c))); i += 1; continue }
            if c == "=" { tokens.append(.symbol("=")); i += 1; continue }
            if c == "!" || c == "<" || c == ">" {
                if i + 1 < chars.count, chars[i + 1] == "=" {
                    tokens.append(.symbol(String(c) + "="))
                    i += 2
                } else if c == "<", i + 1 < chars.count, chars[i + 1] == ">" {
                    tokens.append(.symbol("!="))
                    i += 2
                } else if c == "!" {
                    throw Failure(message: "unexpected token: '!'")
                } else {
                    tokens.append(.symbol(String(c)))
                    i += 1
                }
                continue
            }
            if (c >= "0" && c <= "9") || c == "-" || c == "+" {
                var j = i + 1
                while j < chars.count, !(" ,()\n\t\r".unicodeScalars.contains(chars[j])) { j += 1 }
                let text = String(String.UnicodeScalarView(chars[i..<j]))
                if let millis = SalesforceDate.parse(text) {
                    tokens.append(.dateTime(millis))
                } else if text.count == 10, text.unicodeScalars.filter({ $0 == "-" }).count == 2,
                          let millis = SalesforceDate.parse(text + "T00:00:00Z") {
                    tokens.append(.date(millis))
                } else if let number = Double(text) {
                    tokens.append(.number(number))
                } else {
                    throw Failure(message: "unexpected token: '\(text)'")
                }
                i = j
                continue
            }
            if isWordChar(c) {
                var j = i
                while j < chars.count, isWordChar(chars[j]) { j += 1 }
                tokens.append(.word(String(String.UnicodeScalarView(chars[i..<j]))))
                i = j
                continue
            }
            throw Failure(message: "unexpected token: '\(c)'")
        }
        return tokens
    }

    // MARK: Grammar

    private var current: Token? { index < tokens.count ? tokens[index] : nil }

    private mutating func keyword(_ word: String) -> Bool {
        if case .word(let w) = current, w.uppercased() == word { index += 1; return true }
        return false
    }

    private mutating func expectKeyword(_ word: String) throws(Failure) {
        guard keyword(word) else { throw unexpected() }
    }

    private func unexpected() -> Failure {
        guard let current else { return Failure(message: "unexpected end of query") }
        return Failure(message: "unexpected token: '\(Self.describe(current))'")
    }

    static func describe(_ token: Token) -> String {
        switch token {
        case .word(let w), .symbol(let w): w
        case .string(let s): s
        case .number(let n): n.rounded() == n ? String(Int64(n)) : String(n)
        case .dateTime(let m), .date(let m): SalesforceDate.format(millis: m)
        }
    }

    private mutating func identifier() throws(Failure) -> String {
        guard case .word(let w) = current, !Self.reserved.contains(w.uppercased()) else { throw unexpected() }
        index += 1
        return w
    }

    static let reserved: Set = ["SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "ORDER", "BY", "LIMIT", "OFFSET", "IN", "LIKE",
                                "ASC", "DESC", "NULLS", "FIRST", "LAST", "NULL", "TRUE", "FALSE"]

    private mutating func query() throws(Failure) -> SOQLQuery {
        try expectKeyword("SELECT")
        var fields = [try identifier()]
        while current == .symbol(",") {
            index += 1
            fields.append(try identifier())
        }
        try expectKeyword("FROM")
        let object = try identifier()
        var query = SOQLQuery(fields: fields, object: object, condition: nil, orderBy: [], limit: nil, offset: nil)
        if keyword("WHERE") { query.condition = try orExpression() }
        if keyword("ORDER") {
            try expectKeyword("BY")
            repeat {
                if current == .symbol(",") { index += 1 }
                var ordering = SOQLOrdering(field: try identifier(), ascending: true, nullsFirst: true)
                if keyword("DESC") { ordering.ascending = false; ordering.nullsFirst = false } else { _ = keyword("ASC") }
                if keyword("NULLS") {
                    if keyword("FIRST") { ordering.nullsFirst = true } else { try expectKeyword("LAST"); ordering.nullsFirst = false }
                }
                query.orderBy.append(ordering)
            } while current == .symbol(",")
        }
        if keyword("LIMIT") { query.limit = try integer() }
        if keyword("OFFSET") { query.offset = try integer() }
        guard current == nil else { throw unexpected() }
        return query
    }

    private mutating func integer() throws(Failure) -> Int {
        guard case .number(let n) = current, n >= 0, n.rounded() == n else { throw unexpected() }
        index += 1
        return Int(n)
    }

    private mutating func orExpression() throws(Failure) -> SOQLCondition {
        var left = try andExpression()
        while keyword("OR") { left = .or(left, try andExpression()) }
        return left
    }

    private mutating func andExpression() throws(Failure) -> SOQLCondition {
        var left = try unary()
        while keyword("AND") { left = .and(left, try unary()) }
        return left
    }

    private mutating func unary() throws(Failure) -> SOQLCondition {
        if keyword("NOT") { return .not(try unary()) }
        if current == .symbol("(") {
            index += 1
            let inner = try orExpression()
            guard current == .symbol(")") else { throw unexpected() }
            index += 1
            return inner
        }
        let field = try identifier()
        if keyword("LIKE") {
            guard case .string(let pattern) = current else { throw unexpected() }
            index += 1
            return .like(field: field, pattern: pattern)
        }
        let negated = keyword("NOT")
        if keyword("IN") {
            guard current == .symbol("(") else { throw unexpected() }
            index += 1
            var values = [try literal()]
            while current == .symbol(",") {
                index += 1
                values.append(try literal())
            }
            guard current == .symbol(")") else { throw unexpected() }
            index += 1
            return .inList(field: field, values: values, negated: negated)
        }
        if negated { throw unexpected() }
        guard case .symbol(let symbol) = current, let op = SOQLOperator(rawValue: symbol) else { throw unexpected() }
        index += 1
        return .compare(field: field, op: op, value: try literal())
    }

    private mutating func literal() throws(Failure) -> SOQLLiteral {
        guard let token = current else { throw unexpected() }
        index += 1
        switch token {
        case .string(let s): return .string(s)
        case .number(let n): return .number(n)
        case .dateTime(let m): return .dateTime(m)
        case .date(let m): return .date(m)
        case .word(let w):
            switch w.uppercased() {
            case "NULL": return .null
            case "TRUE": return .bool(true)
            case "FALSE": return .bool(false)
            default: index -= 1; throw unexpected()
            }
        case .symbol: index -= 1; throw unexpected()
        }
    }
}
