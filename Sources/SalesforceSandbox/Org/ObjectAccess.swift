/// What the integration user's profile and permission sets allow on an object (Setup → Permission
/// Sets → Object Settings). Every object is fully allowed unless ``SandboxConfiguration/objectAccess``
/// restricts it — so `doctor` and the connector's error mapping can be tested against an org whose
/// admin forgot a permission.
public struct ObjectAccess: Sendable, Hashable, Codable {
    /// The object (`Case`).
    public var object: String
    /// Read (query, get, describe; without it the object does not exist for the user).
    public var read: Bool
    /// Create.
    public var create: Bool
    /// Edit (update, upsert of an existing record).
    public var edit: Bool

    /// Creates a rule.
    public init(object: String, read: Bool = true, create: Bool = true, edit: Bool = true) {
        self.object = object
        self.read = read
        self.create = create
        self.edit = edit
    }

    /// Everything allowed.
    static func full(_ object: String) -> ObjectAccess { ObjectAccess(object: object) }
}

extension SandboxOrg {
    /// The integration user's access to an object.
    public func access(to object: String) -> ObjectAccess {
        configuration.objectAccess.first { $0.object.lowercased() == object.lowercased() } ?? .full(object)
    }
}
