import ConnectorKit

/// A JSON-RPC error object. Connector errors travel as code `-32000` with `data.code` one of
/// ``ConnectorError``'s codes, so the host maps an external module's errors exactly like a built-in one's.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The JSON-RPC code.
    public var code: Int
    /// What went wrong. Never a secret value.
    public var message: String
    /// Extra data (`{"code":"not_found","field":…}` for connector errors).
    public var data: JSONValue?

    /// Creates an error.
    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// Invalid JSON was received.
    public static func parseError(_ message: String) -> RPCError { RPCError(code: -32700, message: message) }
    /// The message is not a valid request.
    public static func invalidRequest(_ message: String) -> RPCError { RPCError(code: -32600, message: message) }
    /// The method does not exist.
    public static func methodNotFound(_ method: String) -> RPCError { RPCError(code: -32601, message: "unknown method \(method)") }
    /// The params are wrong.
    public static func invalidParams(_ message: String) -> RPCError { RPCError(code: -32602, message: message) }
    /// The connector error code for connector errors.
    public static let connectorErrorCode = -32000

    /// A connector error as an RPC error.
    public init(_ error: ConnectorError) {
        self.init(code: Self.connectorErrorCode, message: error.message, data: .object([
            ("code", .string(error.kind)), ("field", error.field.map(JSONValue.string)),
            ("httpStatus", error.httpStatus.map { .integer(Int64($0)) }), ("upstreamCode", error.upstreamCode.map(JSONValue.string)),
            ("retryAfterSeconds", error.retryAfterSeconds.map { .integer(Int64($0)) }),
        ]))
    }

    /// The connector error this stands for: its own code when it carries one, `unavailable` for a
    /// protocol failure (the module misbehaved), `invalid_request` for bad params, `not_implemented` for
    /// an unknown method.
    public var connectorError: ConnectorError {
        let field = data?["field"]?.stringValue
        switch data?["code"]?.stringValue {
        case "misconfigured": return .misconfigured(message, field: field)
        case "feature_not_enabled": return .featureNotEnabledMessage(message)
        case "unauthorized": return .unauthorized(message, httpStatus: data?["httpStatus"]?.integerValue.map(Int.init))
        case "not_found": return .notFound(message)
        case "invalid_request": return .invalidRequest(message, field: field)
        case "conflict": return .conflict(message)
        case "rate_limited": return .rateLimited(message, retryAfterSeconds: data?["retryAfterSeconds"]?.integerValue.map(Int.init))
        case "upstream": return .upstream(message, httpStatus: data?["httpStatus"]?.integerValue.map(Int.init), upstreamCode: data?["upstreamCode"]?.stringValue)
        case "not_implemented": return ConnectorError.notImplementedMessage(message)
        default:
            switch code {
            case -32602: return .invalidRequest(message)
            // The other side does not have the method: that call is not implemented there.
            case -32601: return ConnectorError.notImplementedMessage(message)
            default: return .unavailable("the module failed: \(message)")
            }
        }
    }

    /// The error object.
    public var json: JSONValue { .object([("code", .integer(Int64(code))), ("message", .string(message)), ("data", data)]) }

    public var description: String { "RPC error \(code): \(message)" }
}
