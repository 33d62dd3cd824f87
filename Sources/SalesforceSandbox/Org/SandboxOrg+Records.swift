import Foundation

/// Changes to the org's records, as users, automation or the REST API make them. Every change
/// moves `SystemModstamp` (and `LastModifiedDate`) to now, never backwards.
extension SandboxOrg {
    /// Why a write was refused, with Salesforce's error code.
    public struct WriteError: Error, Sendable, Hashable {
        /// Salesforce's `errorCode`.
        public let errorCode: String
        /// The message.
        public let message: String
        /// The fields involved.
        public let fields: [String]
    }

    /// Creates a record from field values (API names, case-insensitive) and returns its id.
    @discardableResult
    public func insert(_ object: String, values: [String: FieldValue], by userID: String? = nil) throws(WriteError) -> String {
        guard let schema = self.schema(named: object) else {
            throw WriteError(errorCode: "NOT_FOUND", message: "The requested resource does not exist", fields: [])
        }
        try permitted(schema, create: true)
        let checked = try Self.check(values, schema: schema, creating: true)
        return state.withLock { state in
            var rows = state.objects[schema.name] ?? []
            state.nextRecordNumber += 1
            let id = SalesforceID.make(prefix: schema.keyPrefix, number: state.nextRecordNumber)
            var record = SandboxRecord(object: schema.name, values: checked)
            record["Id"] = .string(id)
            let now = Self.nextStamp(&state)
            record["IsDeleted"] = .bool(false)
            record["CreatedDate"] = .dateTime(now)
            record["LastModifiedDate"] = .dateTime(now)
            record["SystemModstamp"] = .dateTime(now)
            record["CreatedById"] = .string(userID ?? SalesforceID.make(prefix: "005", number: 1))
            Self.derive(&record, schema: schema, number: state.nextRecordNumber)
            rows.append(record)
            state.objects[schema.name] = rows
            state.index[id] = (schema.name, rows.count - 1)
            return id
        }
    }

    /// Upserts by an External ID field (`PATCH /sobjects/{object}/{field}/{value}`): updates the one
    /// record whose `field` is `value`, or creates one with it. Returns the id and whether it was created.
    /// - Throws: `NOT_FOUND` when the field is not an External ID of the object, `MULTIPLE_CHOICES`
    ///   when several records have the value.
    public func upsert(_ object: String, field: String, value: String, values: [String: FieldValue],
                       by userID: String? = nil) throws(WriteError) -> (id: String, created: Bool) {
        guard let schema = self.schema(named: object) else {
            throw WriteError(errorCode: "NOT_FOUND", message: "The requested resource does not exist", fields: [])
        }
        // update and insert below check the edit or create permission.
        guard access(to: schema.name).read else { throw WriteError(errorCode: "NOT_FOUND", message: "The requested resource does not exist", fields: []) }
        guard let key = schema.field(field), key.isExternalID else {
            throw WriteError(errorCode: "NOT_FOUND", message: "Provided external ID field does not exist or is not accessible: \(field)", fields: [])
        }
        let matches = state.withLock { state in
            (state.objects[schema.name] ?? []).filter { !$0.isDeleted && $0[key.name] == .string(value) }.map(\.id)
        }
        guard matches.count <= 1 else {
            throw WriteError(errorCode: "MULTIPLE_CHOICES", message: "More than one record found for external id field \(key.name): \(value)", fields: [key.name])
        }
        var all = values
        all[key.name] = .string(value)
        if let id = matches.first {
            try update(object, id: id, values: all)
            return (id, false)
        }
        return (try insert(object, values: all, by: userID), true)
    }

    /// Changes fields of a record.
    public func update(_ object: String, id: String, values: [String: FieldValue]) throws(WriteError) {
        guard let schema = self.schema(named: object) else {
            throw WriteError(errorCode: "NOT_FOUND", message: "The requested resource does not exist", fields: [])
        }
        try permitted(schema, create: false)
        try write(try Self.check(values, schema: schema, creating: false), to: id, schema: schema, stamp: nil)
    }

    /// Sets checked values on a live record and stamps it (`stamp`, else now).
    private func write(_ checked: [String: FieldValue], to id: String, schema: SObjectSchema, stamp: Int64?) throws(WriteError) {
        let found = state.withLock { state -> Bool in
            guard let (name, index) = state.index[id], name == schema.name, state.objects[name]?[index].isDeleted == false else { return false }
            let now = stamp ?? Self.nextStamp(&state)
            var record = state.objects[name]![index]
            for (field, value) in checked { record[field] = value }
            record["LastModifiedDate"] = .dateTime(now)
            record["SystemModstamp"] = .dateTime(now)
            Self.derive(&record, schema: schema, number: nil)
            state.objects[name]![index] = record
            return true
        }
        guard found else { throw WriteError(errorCode: "NOT_FOUND", message: "The requested resource does not exist", fields: []) }
    }

    /// Sets fields the API cannot write, as Salesforce's own processes do (publishing or archiving
    /// an article, closing a case by automation); moves `SystemModstamp`.
    public func automate(id: String, set values: [String: FieldValue]) {
        state.withLock { state in
            guard let (name, index) = state.index[id] else { return }
            let now = Self.nextStamp(&state)
            for (field, value) in values { state.objects[name]![index][field] = value }
            state.objects[name]![index]["SystemModstamp"] = .dateTime(now)
            state.objects[name]![index]["LastModifiedDate"] = .dateTime(now)
        }
    }

    /// One bulk automated update: every given record gets the same new `SystemModstamp` (as when a
    /// flow or a mass update touches many rows in one transaction), producing ties.
    public func touchAll(_ ids: [String]) {
        state.withLock { state in
            let now = Self.nextStamp(&state)
            for id in ids {
                guard let (name, index) = state.index[id] else { continue }
                state.objects[name]![index]["SystemModstamp"] = .dateTime(now)
            }
        }
    }

    /// Moves a record to the Recycle Bin (`IsDeleted = true`, seen by queryAll).
    public func delete(_ object: String, id: String) throws(WriteError) {
        let found = state.withLock { state -> Bool in
            guard let (name, index) = state.index[id], name.lowercased() == object.lowercased(),
                  state.objects[name]?[index].isDeleted == false else { return false }
            let now = Self.nextStamp(&state)
            state.objects[name]![index]["IsDeleted"] = .bool(true)
            state.objects[name]![index]["SystemModstamp"] = .dateTime(now)
            return true
        }
        guard found else { throw WriteError(errorCode: "ENTITY_IS_DELETED", message: "entity is deleted", fields: []) }
    }

    /// Removes a record for good (the Recycle Bin emptied): not even queryAll sees it.
    public func purge(_ object: String, id: String) {
        state.withLock { state in
            guard let (name, index) = state.index[id], name.lowercased() == object.lowercased() else { return }
            state.objects[name]!.remove(at: index)
            state.index = [:]
            for (objectName, rows) in state.objects {
                for (position, row) in rows.enumerated() { state.index[row.id] = (objectName, position) }
            }
        }
    }

    /// A record by id (deleted ones included).
    public func record(id: String) -> SandboxRecord? {
        state.withLock { state in state.index[id].flatMap { state.objects[$0.0]?[$0.1] } }
    }

    /// Now, in whole seconds as Salesforce stamps (milliseconds always `.000`): writes within one
    /// second share a stamp, and ties are ordered by Id only. Never before the newest stamp handed
    /// out (or the seeded data).
    static func nextStamp(_ state: inout State) -> Int64 {
        let now = Int64((Date().timeIntervalSince1970).rounded(.down)) * 1000
        state.lastStamp = max(now, state.lastStamp)
        return state.lastStamp
    }

    /// A change made by a transaction that started at `stamp` (whole seconds, in milliseconds since
    /// 1970) and commits only now: Salesforce stamps a row when the transaction writes it, and the
    /// row becomes visible at commit — so a reader may see it *after* rows with later stamps, or
    /// after rows of the same second with higher Ids (the reason incremental cursors re-read an
    /// overlap). The record's `SystemModstamp` and `LastModifiedDate` become `stamp`. Like
    /// ``automate(id:set:)``, it may set fields the API cannot (the org's own processes).
    public func commitLate(_ object: String, id: String, values: [String: FieldValue], stampedAt stamp: Int64) throws(WriteError) {
        guard let schema = self.schema(named: object) else {
            throw WriteError(errorCode: "NOT_FOUND", message: "The requested resource does not exist", fields: [])
        }
        var checked: [String: FieldValue] = [:]
        for (name, value) in values {
            guard let field = schema.field(name) else {
                throw WriteError(errorCode: "INVALID_FIELD", message: "No such column '\(name)' on sobject of type \(schema.name)", fields: [])
            }
            checked[field.name] = value
        }
        try write(checked, to: id, schema: schema, stamp: stamp / 1000 * 1000)
    }

    /// Checks names and types; returns values keyed by canonical field names.
    static func check(_ values: [String: FieldValue], schema: SObjectSchema, creating: Bool) throws(WriteError) -> [String: FieldValue] {
        var checked: [String: FieldValue] = [:]
        for (name, value) in values {
            guard let field = schema.field(name) else {
                throw WriteError(errorCode: "INVALID_FIELD", message: "No such column '\(name)' on sobject of type \(schema.name)", fields: [])
            }
            guard field.writable else {
                throw WriteError(errorCode: "INVALID_FIELD_FOR_INSERT_UPDATE",
                                 message: "Unable to create/update fields: \(field.name). Please check the security settings of this field "
                                    + "and verify that it is read/write for your profile or permission set.", fields: [field.name])
            }
            let ok: Bool = switch (field.type, value) {
            case (_, .null): true
            case (.boolean, .bool): true
            case (.int, .int), (.double, .int), (.double, .double): true
            case (.dateTime, .dateTime): true
            case (let type, .string) where type.isText: true
            default: false
            }
            guard ok else {
                throw WriteError(errorCode: "JSON_PARSER_ERROR", message: "Cannot deserialize instance of \(field.type) for field \(field.name)",
                                 fields: [field.name])
            }
            checked[field.name] = value
        }
        if creating {
            let required: [String] = switch schema.name {
            case "Contact": ["LastName"]
            case "CaseComment": ["ParentId"]
            default: []
            }
            for name in required where (checked[name] ?? .null) == .null {
                throw WriteError(errorCode: "REQUIRED_FIELD_MISSING", message: "Required fields are missing: [\(name)]", fields: [name])
            }
        }
        if schema.name == "CaseComment", case .string(let body)? = checked["CommentBody"], body.utf8.count > 4000 {
            throw WriteError(errorCode: "STRING_TOO_LONG", message: "Body: data value too large (max length=4000)", fields: ["CommentBody"])
        }
        return checked
    }

    /// Fields Salesforce computes: Case number and IsClosed, Contact Name, defaults.
    static func derive(_ record: inout SandboxRecord, schema: SObjectSchema, number: Int?) {
        switch schema.name {
        case "Case":
            if let number, record["CaseNumber"] == .null { record["CaseNumber"] = .string(String(format9: number)) }
            if record["Status"] == .null { record["Status"] = .string("New") }
            let closed = record["Status"] == .string("Closed")
            if closed, record["IsClosed"] != .bool(true) { record["ClosedDate"] = record["SystemModstamp"] }
            record["IsClosed"] = .bool(closed)
        case "Contact":
            let first = record["FirstName"], last = record["LastName"]
            let parts = [first, last].compactMap { if case .string(let s) = $0 { s } else { nil } }
            record["Name"] = .string(parts.joined(separator: " "))
        case "CaseComment":
            if record["IsPublished"] == .null { record["IsPublished"] = .bool(false) }
        default:
            break
        }
    }
}

extension SandboxOrg {
    /// The user's object permission for a write: an object they cannot read does not exist
    /// (`NOT_FOUND`); one they cannot create or edit answers `INSUFFICIENT_ACCESS_OR_READONLY`.
    func permitted(_ schema: SObjectSchema, create: Bool) throws(WriteError) {
        let access = access(to: schema.name)
        guard access.read else { throw WriteError(errorCode: "NOT_FOUND", message: "The requested resource does not exist", fields: []) }
        guard create ? access.create : access.edit else {
            throw WriteError(errorCode: "INSUFFICIENT_ACCESS_OR_READONLY",
                             message: "insufficient access rights on object: \(create ? "Create" : "Edit") \(schema.name)", fields: [])
        }
    }
}
