/// The sObjects the sandbox org knows and their fields: the subset of Salesforce's object
/// reference the connectors read and write (salesforce-rest-api.md §3).
public struct SObjectSchema: Sendable {
    /// A field's type, which decides comparisons and which literals a filter may use.
    public enum FieldType: Sendable, Hashable {
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
    }

    /// The object's API name (`Case`, `Knowledge__kav`).
    public let name: String
    /// The key prefix of its ids (a sandbox convention; clients must not depend on it).
    public let keyPrefix: String
    /// The fields in declaration order.
    public let fields: [Field]
    private let byLowercasedName: [String: Field]

    init(name: String, keyPrefix: String, fields: [(String, FieldType, Bool)]) {
        self.name = name
        self.keyPrefix = keyPrefix
        self.fields = fields.map { Field(name: $0.0, type: $0.1, writable: $0.2) }
        self.byLowercasedName = Dictionary(uniqueKeysWithValues: self.fields.map { ($0.name.lowercased(), $0) })
    }

    /// The field with this name, case-insensitively (SOQL names are case-insensitive).
    public func field(_ name: String) -> Field? { byLowercasedName[name.lowercased()] }

    static let system: [(String, FieldType, Bool)] = [
        ("IsDeleted", .boolean, false), ("CreatedDate", .dateTime, false), ("CreatedById", .reference, false),
        ("LastModifiedDate", .dateTime, false), ("SystemModstamp", .dateTime, false),
    ]

    /// Every object of the sandbox org.
    public static let all: [SObjectSchema] = [
        SObjectSchema(name: "User", keyPrefix: "005", fields: [
            ("Id", .id, false), ("Username", .string, false), ("Name", .string, false), ("Email", .email, false),
            ("IsActive", .boolean, false),
        ] + system),
        SObjectSchema(name: "Contact", keyPrefix: "003", fields: [
            ("Id", .id, false), ("AccountId", .reference, true), ("FirstName", .string, true), ("LastName", .string, true),
            ("Name", .string, false), ("Email", .email, true), ("Phone", .string, true), ("Title", .string, true),
            ("Department", .string, true), ("Employee_Id__c", .string, true),
        ] + system),
        SObjectSchema(name: "Case", keyPrefix: "500", fields: [
            ("Id", .id, false), ("CaseNumber", .string, false), ("Subject", .string, true), ("Description", .textarea, true),
            ("Status", .picklist, true), ("Priority", .picklist, true), ("Origin", .picklist, true), ("ContactId", .reference, true),
            ("AccountId", .reference, true), ("OwnerId", .reference, true), ("IsClosed", .boolean, false),
            ("ClosedDate", .dateTime, false), ("SuppliedEmail", .email, true), ("SuppliedName", .string, true),
            ("Switchboard_Key__c", .string, true), ("Category__c", .picklist, true),
        ] + system),
        SObjectSchema(name: "CaseComment", keyPrefix: "00a", fields: [
            ("Id", .id, false), ("ParentId", .reference, true), ("CommentBody", .textarea, true), ("IsPublished", .boolean, true),
        ] + system),
        SObjectSchema(name: "Knowledge__kav", keyPrefix: "ka0", fields: [
            ("Id", .id, false), ("KnowledgeArticleId", .reference, false), ("ArticleNumber", .string, false), ("Title", .string, false),
            ("UrlName", .string, false), ("Summary", .textarea, false), ("PublishStatus", .picklist, false), ("Language", .picklist, false),
            ("VersionNumber", .int, false), ("IsLatestVersion", .boolean, false), ("FirstPublishedDate", .dateTime, false),
            ("LastPublishedDate", .dateTime, false), ("Body__c", .textarea, false),
        ] + system),
    ]

    /// The object with this API name, case-insensitively.
    public static func named(_ name: String) -> SObjectSchema? { all.first { $0.name.lowercased() == name.lowercased() } }
}
