/// A REST API error from Salesforce: the HTTP status and the first entry of its error array
/// (`[{"message","errorCode","fields"}]`), with what the admin or caller should do.
public struct SalesforceAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status.
    public let status: Int
    /// Salesforce's `errorCode` (`INVALID_FIELD`, `REQUEST_LIMIT_EXCEEDED`, …).
    public let errorCode: String
    /// Salesforce's message (never contains our secrets; may quote the query).
    public let message: String
    /// Fields named by the error.
    public let fields: [String]

    /// Creates an error.
    public init(status: Int, errorCode: String, message: String, fields: [String] = []) {
        self.status = status
        self.errorCode = errorCode
        self.message = message
        self.fields = fields
    }

    /// The daily API limit is spent (403 `REQUEST_LIMIT_EXCEEDED`): pause, do not fail.
    public var isRateLimited: Bool { errorCode == "REQUEST_LIMIT_EXCEEDED" || status == 429 }
    /// The integration user lacks an object or record permission (`INSUFFICIENT_ACCESS_OR_READONLY`,
    /// `INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY`): the org's setup, not the caller's request.
    public var isMissingPermission: Bool { errorCode.hasPrefix("INSUFFICIENT_ACCESS") }
    /// The record does not exist (or is not visible).
    public var isNotFound: Bool { status == 404 || errorCode == "NOT_FOUND" }

    public var description: String {
        let hint = switch errorCode {
        case "INVALID_FIELD": " — check the field names in connectors.yaml (custom fields end in __c) and the integration user's field-level security"
        case "REQUEST_LIMIT_EXCEEDED": " — the org's daily API limit is spent; syncs pause and resume from their checkpoint"
        case "INVALID_TYPE": " — the object does not exist or the integration user cannot see it (switchboard doctor names the missing permission)"
        case "INSUFFICIENT_ACCESS_OR_READONLY": " — the integration user lacks the object permission (switchboard doctor names it)"
        case "INVALID_SESSION_ID": " — the session expired and re-authentication failed"
        default: ""
        }
        return "Salesforce answered HTTP \(status) \(errorCode): \(message)\(hint)"
    }
}
