/// Runs a ``SOQLQuery`` over the org's rows: checks names and literal types the way Salesforce
/// does (an unknown field is `INVALID_FIELD`, a quoted dateTime is refused), filters, sorts and
/// projects the selected fields.
struct SOQLEvaluator {
    /// A REST error: Salesforce's `errorCode` and message.
    struct Failure: Error, Sendable {
        let errorCode: String
        let message: String
    }

    /// The matching records in order, with the fields selected: rows are made a page at a time
    /// (a query over 100,000 contacts used to build every row before answering the first page).
    struct Result: Sendable {
        let object: String
        let records: [SandboxRecord]
        let fields: [String]

        var count: Int { records.count }

        /// The rows at `range`, each with the selected fields.
        func rows(_ range: Range<Int>) -> [QueryRow] {
            records[range].map { record in QueryRow(id: record.id, fields: fields.map { ($0, record[$0]) }) }
        }
    }

    let schema: SObjectSchema
    let query: SOQLQuery
    let text: String

    /// Resolves the query's object and checks its fields.
    init(_ query: SOQLQuery, text: String, org: SandboxOrg) throws(Failure) {
        // An object the user cannot read does not exist for them.
        guard let schema = org.schema(named: query.object), org.access(to: schema.name).read else {
            throw Failure(errorCode: "INVALID_TYPE", message: "\(text)\n^\nERROR at Row:1:Column:1\nsObject type '\(query.object)' is not supported. "
                + "If you are attempting to use a custom object, be sure to append the '__c' after the entity name.")
        }
        self.schema = schema
        self.query = query
        self.text = text
        for name in query.fields + (query.condition?.fields ?? []) + query.orderBy.map(\.field) where schema.field(name) == nil {
            throw Failure(errorCode: "INVALID_FIELD", message: "\(text)\n^\nERROR at Row:1:Column:1\nNo such column '\(name)' on entity "
                + "'\(schema.name)'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.")
        }
        if let condition = query.condition { try Self.checkTypes(condition, schema: schema, text: text) }
        if schema.name == "Knowledge__kav" {
            // The stricter Knowledge rule (salesforce-rest-api.md §3.4): one PublishStatus and one Language.
            let pinned = query.condition.map { $0.pinsEquality("PublishStatus") && $0.pinsEquality("Language") } ?? false
            guard pinned else {
                throw Failure(errorCode: "MALFORMED_QUERY", message: "Implementation restriction: When querying the Knowledge__kav object, "
                    + "you must filter using the following syntax: PublishStatus = [status] AND Language = [language].")
            }
        }
    }

    private static func checkTypes(_ condition: SOQLCondition, schema: SObjectSchema, text: String) throws(Failure) {
        switch condition {
        case .and(let l, let r), .or(let l, let r):
            try checkTypes(l, schema: schema, text: text)
            try checkTypes(r, schema: schema, text: text)
        case .not(let c):
            try checkTypes(c, schema: schema, text: text)
        case .compare(let name, _, let value):
            try checkLiteral(value, field: schema.field(name)!, text: text)
        case .inList(let name, let values, _):
            for value in values { try checkLiteral(value, field: schema.field(name)!, text: text) }
        case .like(let name, _):
            guard schema.field(name)!.type.isText else {
                throw Failure(errorCode: "INVALID_FIELD", message: "invalid operator on field '\(name)': LIKE applies to text fields")
            }
        }
    }

    private static func checkLiteral(_ value: SOQLLiteral, field: SObjectSchema.Field, text: String) throws(Failure) {
        // An Id or reference field compares only with a well-formed id (15 or 18 letters and digits):
        // `Id > ''` is refused by a real org, whatever the operator.
        if field.type == .id || field.type == .reference, case .string(let literal) = value, !SalesforceID.isWellFormed(literal) {
            throw Failure(errorCode: "INVALID_QUERY_FILTER_OPERATOR",
                          message: "\(text)\n^\nERROR at Row:1:Column:1\ninvalid ID field: \(literal)")
        }
        let ok: Bool
        switch (field.type, value) {
        case (_, .null): ok = true
        case (.dateTime, .dateTime), (.dateTime, .date): ok = true
        case (.boolean, .bool): ok = true
        case (.int, .number), (.double, .number): ok = true
        case (let type, .string) where type.isText: ok = true
        default: ok = false
        }
        guard ok else {
            let expected = field.type == .dateTime ? "dateTime and should not be enclosed in quotes"
                : field.type == .boolean ? "boolean and should not be enclosed in quotes" : "\(field.type)"
            throw Failure(errorCode: "INVALID_FIELD", message: "value of filter criterion for field '\(field.name)' must be of type \(expected)")
        }
    }

    /// Filters, sorts, pages by LIMIT/OFFSET and projects `rows`.
    func run(over rows: [SandboxRecord], includeDeleted: Bool) -> Result {
        // One pass over the rows: each record's values are read while they are in cache — the
        // filter, then the sort values (once, into one flat array, not twice per comparison).
        let orderings = query.orderBy.map { (schema.field($0.field)!.name, $0) }
        let width = orderings.count
        var matched: [SandboxRecord] = []
        var keys: [FieldValue] = []
        for record in rows where (includeDeleted || !record.isDeleted) && (query.condition.map { matches($0, record) } ?? true) {
            matched.append(record)
            for (name, _) in orderings { keys.append(record[name]) }
        }
        if width > 0 {
            // The rows' positions are sorted, then the rows taken in that order.
            let order = keys.withUnsafeBufferPointer { keys in
                Array(matched.indices).sorted { a, b in
                    for (index, (_, ordering)) in orderings.enumerated() {
                        let order = Self.order(keys[a * width + index], keys[b * width + index], nullsFirst: ordering.nullsFirst)
                        if order != 0 { return ordering.ascending ? order < 0 : order > 0 }
                    }
                    return false
                }
            }
            matched = order.map { matched[$0] }
        }
        if let offset = query.offset { matched = Array(matched.dropFirst(offset)) }
        if let limit = query.limit { matched = Array(matched.prefix(limit)) }
        let names = query.fields.map { schema.field($0)!.name }
        return Result(object: schema.name, records: matched, fields: names)
    }

    private func matches(_ condition: SOQLCondition, _ record: SandboxRecord) -> Bool {
        switch condition {
        case .and(let l, let r): return matches(l, record) && matches(r, record)
        case .or(let l, let r): return matches(l, record) || matches(r, record)
        case .not(let c): return !matches(c, record)
        case .compare(let name, let op, let literal):
            let field = schema.field(name)!
            let value = record[field.name]
            if literal == .null {
                switch op {
                case .equal: return value == .null
                case .notEqual: return value != .null
                default: return false
                }
            }
            if value == .null { return op == .notEqual }
            guard let order = Self.compare(value, literal, caseSensitive: field.type == .id || field.type == .reference) else { return false }
            switch op {
            case .equal: return order == 0
            case .notEqual: return order != 0
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            case .greaterOrEqual: return order >= 0
            }
        case .inList(let name, let values, let negated):
            let field = schema.field(name)!
            let value = record[field.name]
            let found = values.contains { literal in
                literal == .null ? value == .null : Self.compare(value, literal, caseSensitive: field.type == .id) == 0
            }
            return negated ? !found : found
        case .like(let name, let pattern):
            guard case .string(let text) = record[schema.field(name)!.name] else { return false }
            return Self.like(text.lowercased(), pattern.lowercased())
        }
    }

    /// Compares a value with a literal: negative, zero, positive; nil when incomparable.
    static func compare(_ value: FieldValue, _ literal: SOQLLiteral, caseSensitive: Bool) -> Int? {
        switch (value, literal) {
        case (.string(let a), .string(let b)):
            let (x, y) = caseSensitive ? (a, b) : (a.lowercased(), b.lowercased())
            return x == y ? 0 : (x < y ? -1 : 1)
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (!a ? -1 : 1)
        case (.int(let a), .number(let b)): return Double(a) == b ? 0 : (Double(a) < b ? -1 : 1)
        case (.double(let a), .number(let b)): return a == b ? 0 : (a < b ? -1 : 1)
        case (.dateTime(let a), .dateTime(let b)), (.dateTime(let a), .date(let b)): return a == b ? 0 : (a < b ? -1 : 1)
        default: return nil
        }
    }

    /// Orders two field values for ORDER BY.
    static func order(_ a: FieldValue, _ b: FieldValue, nullsFirst: Bool) -> Int {
        switch (a, b) {
        case (.null, .null): return 0
        case (.null, _): return nullsFirst ? -1 : 1
        case (_, .null): return nullsFirst ? 1 : -1
        case (.string(let x), .string(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.int(let x), .int(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.double(let x), .double(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.dateTime(let x), .dateTime(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        default: return 0
        }
    }

    /// SOQL LIKE: `%` any run, `_` one character.
    static func like(_ text: String, _ pattern: String) -> Bool {
        let t = Array(text), p = Array(pattern)
        var memo = [[Bool?]](repeating: [Bool?](repeating: nil, count: p.count + 1), count: t.count + 1)
        func go(_ i: Int, _ j: Int) -> Bool {
            if let known = memo[i][j] { return known }
            let result: Bool
            if j == p.count { result = i == t.count }
            else if p[j] == "%" { result = go(i, j + 1) || (i < t.count && go(i + 1, j)) }
            else { result = i < t.count && (p[j] == "_" || p[j] == t[i]) && go(i + 1, j + 1) }
            memo[i][j] = result
            return result
        }
        return go(0, 0)
    }
}

/// One selected row: the record id (for `attributes.url`) and the selected fields in SELECT order.
struct QueryRow: Sendable {
    let id: String
    let fields: [(String, FieldValue)]
}
