/// An error from a connector, with the context an admin needs (connector, field, HTTP status,
/// the external system's error code) and never a secret value. Match it by value:
/// `error.code == .notFound` (the jwt-kit / AsyncHTTPClient style), never by its text.
public struct ConnectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of error it is; compare with the static members.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case misconfigured, featureNotEnabled = "feature_not_enabled", unauthorized, notFound = "not_found"
            case invalidRequest = "invalid_request", conflict, rateLimited = "rate_limited", upstream, unavailable
            case notImplemented = "not_implemented"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The settings cannot be used.
        public static let misconfigured = Code(.misconfigured)
        /// A feature interface was used that the instance does not enable.
        public static let featureNotEnabled = Code(.featureNotEnabled)
        /// The external system refused the credentials.
        public static let unauthorized = Code(.unauthorized)
        /// The thing asked for does not exist.
        public static let notFound = Code(.notFound)
        /// The request is invalid.
        public static let invalidRequest = Code(.invalidRequest)
        /// The request conflicts with the current state.
        public static let conflict = Code(.conflict)
        /// The external system's rate limit was hit.
        public static let rateLimited = Code(.rateLimited)
        /// The external system answered with an error.
        public static let upstream = Code(.upstream)
        /// The external system could not be reached.
        public static let unavailable = Code(.unavailable)
        /// The module declares the operation but has no implementation yet (a scaffolded `TODO`).
        public static let notImplemented = Code(.notImplemented)

        /// The stable name APIs show (`not_found`).
        public var description: String { base.rawValue }
    }

    /// What kind of error it is.
    public let code: Code
    /// The connector instance, when known.
    public var connector: String?
    /// The settings field or request field involved, when any (`auth.username`).
    public var field: String?
    /// The HTTP status the external system answered with, when any.
    public var httpStatus: Int?
    /// The external system's error code (`INVALID_FIELD`, `invalid_grant`), when any.
    public var upstreamCode: String?
    /// Seconds to wait before retrying, when the system said.
    public var retryAfterSeconds: Int?
    /// What went wrong and what to do; never contains secrets.
    public var message: String

    init(_ code: Code, _ message: String, connector: String? = nil, field: String? = nil, httpStatus: Int? = nil,
         upstreamCode: String? = nil, retryAfterSeconds: Int? = nil)
    {
        self.code = code
        self.message = message
        self.connector = connector
        self.field = field
        self.httpStatus = httpStatus
        self.upstreamCode = upstreamCode
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The settings cannot be used (`field` names which).
    public static func misconfigured(_ message: String, field: String? = nil) -> Self { .init(.misconfigured, message, field: field) }
    /// A feature interface was used that the instance does not enable.
    public static func featureNotEnabled(_ feature: Feature) -> Self {
        .init(.featureNotEnabled, "the \(feature) feature is not enabled on this connector")
    }
    /// The external system refused the credentials.
    public static func unauthorized(_ message: String, httpStatus: Int? = nil, upstreamCode: String? = nil) -> Self {
        .init(.unauthorized, message, httpStatus: httpStatus, upstreamCode: upstreamCode)
    }
    /// The thing asked for does not exist.
    public static func notFound(_ message: String) -> Self { .init(.notFound, message, httpStatus: 404) }
    /// The request is invalid (`field` names what to fix).
    public static func invalidRequest(_ message: String, field: String? = nil) -> Self { .init(.invalidRequest, message, field: field) }
    /// The request conflicts with the current state.
    public static func conflict(_ message: String) -> Self { .init(.conflict, message) }
    /// The external system's rate limit was hit.
    public static func rateLimited(_ message: String, retryAfterSeconds: Int?) -> Self {
        .init(.rateLimited, message, retryAfterSeconds: retryAfterSeconds)
    }
    /// The external system answered with an error.
    public static func upstream(_ message: String, httpStatus: Int?, upstreamCode: String? = nil) -> Self {
        .init(.upstream, message, httpStatus: httpStatus, upstreamCode: upstreamCode)
    }
    /// The external system could not be reached.
    public static func unavailable(_ message: String) -> Self { .init(.unavailable, message) }
    /// An operation the module declares but does not implement yet:
    /// `.notImplemented("ticketing.create", module: "zendesk")` reads "zendesk: ticketing.create is not implemented yet".
    public static func notImplemented(_ operation: String, module: String) -> Self {
        .init(.notImplemented, "\(module): \(operation) is not implemented yet")
    }
    /// A not-implemented error whose message is already written (an external module's).
    public static func notImplementedMessage(_ message: String) -> Self { .init(.notImplemented, message) }
    /// A feature interface was used that the instance does not enable, with the module's message.
    public static func featureNotEnabledMessage(_ message: String) -> Self { .init(.featureNotEnabled, message) }

    /// A stable name for the kind of error, for APIs: `misconfigured`, `feature_not_enabled`,
    /// `unauthorized`, `not_found`, `invalid_request`, `conflict`, `rate_limited`, `upstream`, `unavailable`.
    /// Code matches ``code``, never this text.
    public var kind: String { code.description }

    /// Whether retrying later may succeed.
    public var isRetryable: Bool { [.rateLimited, .unavailable, .upstream].contains(code) }
    /// Whether the settings are at fault (the host does not restart such a connector).
    public var isMisconfiguration: Bool { code == .misconfigured }

    /// Returns the same error naming its connector.
    public func connector(_ name: String) -> Self {
        var copy = self
        copy.connector = name
        return copy
    }

    public var description: String {
        var parts: [String] = []
        if let connector { parts.append("connector \(connector)") }
        if let field { parts.append("field \(field)") }
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let upstreamCode { parts.append(upstreamCode) }
        return parts.isEmpty ? message : "\(message) (\(parts.joined(separator: ", ")))"
    }
}
