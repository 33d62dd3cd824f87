/// A parsed SOQL statement: the subset the connectors send (field lists, one object, a WHERE of
/// comparisons joined by AND/OR/NOT with parentheses, IN, LIKE, ORDER BY, LIMIT, OFFSET).
struct SOQLQuery: Sendable, Hashable {
    /// Selected field names as written.
    var fields: [String]
    /// The object name as written.
    var object: String
    var condition: SOQLCondition?
    var orderBy: [SOQLOrdering]
    var limit: Int?
    var offset: Int?
}

/// One ORDER BY item.
struct SOQLOrdering: Sendable, Hashable {
    var field: String
    var ascending: Bool
    var nullsFirst: Bool
}

/// A WHERE expression.
indirect enum SOQLCondition: Sendable, Hashable {
    case and(SOQLCondition, SOQLCondition)
    case or(SOQLCondition, SOQLCondition)
    case not(SOQLCondition)
    case compare(field: String, op: SOQLOperator, value: SOQLLiteral)
    case inList(field: String, values: [SOQLLiteral], negated: Bool)
    case like(field: String, pattern: String)

    /// Every field named in the expression.
    var fields: [String] {
        switch self {
        case .and(let l, let r), .or(let l, let r): l.fields + r.fields
        case .not(let c): c.fields
        case .compare(let field, _, _), .inList(let field, _, _), .like(let field, _): [field]
        }
    }

    /// Whether the expression, as a conjunction at the top, pins `field` with `= value`.
    func pinsEquality(_ field: String) -> Bool {
        switch self {
        case .and(let l, let r): l.pinsEquality(field) || r.pinsEquality(field)
        case .compare(let name, .equal, _): name.lowercased() == field.lowercased()
        default: false
        }
    }
}

/// Comparison operators.
enum SOQLOperator: String, Sendable, Hashable {
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
}

/// A literal in a filter.
enum SOQLLiteral: Sendable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case dateTime(Int64)
    case date(Int64)
}
