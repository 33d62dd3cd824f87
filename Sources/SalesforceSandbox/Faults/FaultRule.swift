/// One injected fault, set through `POST /__sandbox/faults`. It applies to requests whose path
/// starts with ``path`` (and whose method is ``method``, when given), ``times`` times or until
/// cleared. The effects combine in this order: expire tokens, wait ``delayMs``, answer
/// ``status`` instead of the real response, or cut the real response after ``dropAfterBytes``
/// (or go silent after ``stallAfterBytes``).
public struct FaultRule: Sendable, Hashable, Codable {
    /// Path prefix the fault applies to, e.g. `/services/oauth2/token` or `/services/data/`.
    public var path: String
    /// HTTP method, any when nil.
    public var method: String?
    /// Applies only when the decoded query string contains this text (`FROM Contact`: only the
    /// queries of one object).
    public var queryContains: String?
    /// Answer this status with a Salesforce-shaped error body.
    public var status: Int?
    /// `Retry-After` header sent with ``status``.
    public var retryAfter: String?
    /// Wait this long before handling the request.
    public var delayMs: Int?
    /// Handle the request, then wait this long before answering (a timeout after the work was done).
    public var delayAfterMs: Int?
    /// Handle the request (its work is done), then answer this status with an error body instead
    /// of the real answer — a 5xx from the platform or a proxy after the record was created.
    public var statusAfter: Int?
    /// Send only this many bytes of the real response body, then drop the connection.
    public var dropAfterBytes: Int?
    /// Send only this many bytes of the real response body, then go silent — no bytes, the
    /// connection open — until the client gives up (a stalled stream).
    public var stallAfterBytes: Int?
    /// Expire every issued access token first (the request then meets an expired session).
    public var expireToken: Bool?
    /// How many requests it applies to; nil = until cleared.
    public var times: Int?
    /// Body to send with ``status`` instead of the default error.
    public var body: String?

    /// Creates a rule.
    public init(path: String, method: String? = nil, queryContains: String? = nil, status: Int? = nil, retryAfter: String? = nil, delayMs: Int? = nil,
                delayAfterMs: Int? = nil, statusAfter: Int? = nil, dropAfterBytes: Int? = nil, stallAfterBytes: Int? = nil,
                expireToken: Bool? = nil, times: Int? = nil, body: String? = nil) {
        self.statusAfter = statusAfter
        self.queryContains = queryContains
        self.stallAfterBytes = stallAfterBytes
        self.delayAfterMs = delayAfterMs
        self.path = path
        self.method = method
        self.status = status
        self.retryAfter = retryAfter
        self.delayMs = delayMs
        self.dropAfterBytes = dropAfterBytes
        self.expireToken = expireToken
        self.times = times
        self.body = body
    }

    /// The error body Salesforce sends with a status (REST routes: an array of errors).
    var defaultBody: String {
        let (code, message): (String, String) = switch status ?? statusAfter ?? 500 {
        case 401: ("INVALID_SESSION_ID", "Session expired or invalid")
        case 403: ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        case 404: ("NOT_FOUND", "The requested resource does not exist")
        case 429: ("REQUEST_LIMIT_EXCEEDED", "Too many requests.")
        case 502: ("BAD_GATEWAY", "Salesforce Edge could not reach the instance.")
        case 503: ("SERVER_UNAVAILABLE", "The server is unavailable; try again later.")
        default: ("UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if you contact support: 0-0 (-1)")
        }
        return "[{\"message\":\(JSONText.string(message)),\"errorCode\":\"\(code)\"}]"
    }
}
