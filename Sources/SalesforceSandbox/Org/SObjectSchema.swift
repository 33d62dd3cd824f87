/// The sObjects the sandbox org knows and their fields: the subset of Salesforce's object
/// reference the connectors read and write (salesforce-rest-api.md §3).
public struct SObjectSchema: Sendable {
    /// A field's type, which decides comparisons and which literals a filter may use.
    public enum FieldType: String, Sendable, Hashable, Codable {
        case id, reference, string, textarea, picklist, email, boolean, int, double, dateTime
        var isText: Bool { ![.boolean, .int, .double, .dateTime].contains(self) }
    }

    /// One field.
    public struct Field: Sendable, Hashable {
        /// The API name, as Salesforce spells it.
        public let name: String
        /// The type.
        public let type: FieldType
        /// Whether a client may set it on create/update.
        public let writable: Bool
        /// Whether it is marked External ID (upserts may key on it).
        public var isExternalID = false
    }

    /// The object's API name (`Case`, `Knowledge__kav`).
    public let name: String
    /// The key prefix of its ids (a sandbox convention; clients must not depend on it).
    public let keyPrefix: String
    /// The fields in declaration order.
    public let fields: [Field]
    private let byLowercasedName: [String: Field]

    init(name: String, keyPrefix: String, fields: [(String, FieldType, Bool)]) {
        self.init(name: name, keyPrefix: keyPrefix, fields: fields.map { Field(name: $0.0, type: $0.1, writable: $0.2) })
    }

    init(name: String, keyPrefix: String, fields: [Field]) {
        self.name = name
        self.keyPrefix = keyPrefix
        self.fields = fields
        self.byLowercasedName = Dictionary(fields.map { ($0.name.lowercased(), $0) }, uniquingKeysWith: { _, added in added })
    }

    /// The schema with custom fields added (a field of the same name is replaced).
    func adding(_ custom: [CustomField]) -> SObjectSchema {
        let mine = custom.filter { $0.object.lowercased() == name.lowercased() }
        guard !mine.isEmpty else { return self }
        let added = mine.map { Field(name: $0.name, type: $0.type, writable: true, isExternalID: $0.isExternalID) }
        let names = Set(added.map { $0.name.lowercased() })
        return SObjectSchema(name: name, keyPrefix: keyPrefix, fields: fields.filter { !names.contains($0.name.lowercased()) } + added)
    }

    /// The field with this name, case-insensitively (SOQL names are case-insensitive).
    public func field(_ name: String) -> Field? { byLowercasedName[name.lowercased()] }

    static let system: [(String, FieldType, Bool)] = [
        ("IsDeleted", .boolean, false), ("CreatedDate", .dateTime, false), ("CreatedById", .reference, false),
        ("LastModifiedDate", .dateTime, false), ("SystemModstamp", .dateTime, false),
    ]

    /// Every object of a stock org, as the sandbox seeds it. No object has a custom field: an org's
    /// own (an idempotency key, a category, an employee number, an article body) exist only where
    /// ``SandboxConfiguration/customFields`` adds them; the seed fills them then.
    public static let stock: [SObjectSchema] = [
        SObjectSchema(name: "User", keyPrefix: "005", fields: [
            ("Id", .id, false), ("Username", .string, false), ("Name", .string, false), ("Email", .email, false),
            ("IsActive", .boolean, false),
        ] + system),
        SObjectSchema(name: "Contact", keyPrefix: "003", fields: [
            ("Id", .id, false), ("AccountId", .reference, true), ("FirstName", .string, true), ("LastName", .string, true),
            ("Name", .string, false), ("Email", .email, true), ("Phone", .string, true), ("Title", .string, true),
            ("Department", .string, true),
        ] + system),
        SObjectSchema(name: "Case", keyPrefix: "500", fields: [
            ("Id", .id, false), ("CaseNumber", .string, false), ("Subject", .string, true), ("Description", .textarea, true),
            ("Status", .picklist, true), ("Priority", .picklist, true), ("Origin", .picklist, true), ("ContactId", .reference, true),
            ("AccountId", .reference, true), ("OwnerId", .reference, true), ("IsClosed", .boolean, false),
            ("ClosedDate", .dateTime, false), ("SuppliedEmail", .email, true), ("SuppliedName", .string, true),
        ] + system),
        SObjectSchema(name: "CaseComment", keyPrefix: "00a", fields: [
            ("Id", .id, false), ("ParentId", .reference, true), ("CommentBody", .textarea, true), ("IsPublished", .boolean, true),
        ] + system),
        SObjectSchema(name: "Knowledge__kav", keyPrefix: "ka0", fields: [
            ("Id", .id, false), ("KnowledgeArticleId", .reference, false), ("ArticleNumber", .string, false), ("Title", .string, false),
            ("UrlName", .string, false), ("Summary", .textarea, false), ("PublishStatus", .picklist, false), ("Language", .picklist, false),
            ("VersionNumber", .int, false), ("IsLatestVersion", .boolean, false), ("FirstPublishedDate", .dateTime, false),
            ("LastPublishedDate", .dateTime, false),
        ] + system),
    ]

    /// The stock object with this API name, case-insensitively.
    public static func named(_ name: String) -> SObjectSchema? { stock.first { $0.name.lowercased() == name.lowercased() } }
}

/// A custom field an admin created in the org (Setup → Object Manager → Fields & Relationships).
public struct CustomField: Sendable, Hashable, Codable {
    /// The object (`Case`).
    public var object: String
    /// The API name, ending in `__c` (`Category__c`).
    public var name: String
    /// Its type.
    public var type: SObjectSchema.FieldType
    /// Marked External ID (and unique): `PATCH /sobjects/{object}/{name}/{value}` upserts by it.
    public var isExternalID: Bool

    /// Creates a custom field.
    public init(object: String, name: String, type: SObjectSchema.FieldType = .string, isExternalID: Bool = false) {
        self.object = object
        self.name = name
        self.type = type
        self.isExternalID = isExternalID
    }
}
