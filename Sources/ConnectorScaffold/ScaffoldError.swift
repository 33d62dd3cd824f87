/// Why the scaffolder refused; nothing was written. Match by ``code``.
public struct ScaffoldError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of refusal it is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The module name is not lowercase letters, digits and dashes.
        public static let invalidName = Code("invalid_name")
        /// A module, target or folder of that name exists already.
        public static let nameTaken = Code("name_taken")
        /// A requested feature does not exist.
        public static let unknownFeature = Code("unknown_feature")
        /// No feature was requested.
        public static let noFeatures = Code("no_features")
        /// The target or test folder exists (possibly half-edited): the scaffolder never writes into it.
        public static let targetFolderExists = Code("target_folder_exists")
        /// Package.swift or connectors.yaml does not have the shape the scaffolder edits.
        public static let cannotEdit = Code("cannot_edit")
        /// Writing failed; everything already written was rolled back.
        public static let writeFailed = Code("write_failed")

        public var description: String { name }
    }

    /// The kind.
    public let code: Code
    /// What was refused and what to do instead.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "new-connector: \(message)" }
}
