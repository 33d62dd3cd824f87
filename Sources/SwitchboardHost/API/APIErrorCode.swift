/// The stable `code` of an API error body (`{"error":{"code","message"}}`): part of API v1, each
/// listed in openapi.yaml's `Error` schema (a test keeps the two equal). Match errors by these values,
/// never by message text.
public struct APIErrorCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    // Requests the API refuses itself.
    /// A parameter or body field is invalid.
    public static let badRequest = APIErrorCode(rawValue: "bad_request")
    /// A required query parameter is missing.
    public static let missingParameter = APIErrorCode(rawValue: "missing_parameter")
    /// A query parameter or header has a wrong value.
    public static let invalidParameter = APIErrorCode(rawValue: "invalid_parameter")
    /// The body is not the JSON the operation takes.
    public static let invalidBody = APIErrorCode(rawValue: "invalid_body")
    /// `POST /v1/tickets` without an `Idempotency-Key`.
    public static let missingIdempotencyKey = APIErrorCode(rawValue: "missing_idempotency_key")
    /// Several connectors provide the feature; name one.
    public static let ambiguousConnector = APIErrorCode(rawValue: "ambiguous_connector")
    /// A Live Assist handoff's chat runs in its own client (no messages through the API).
    public static let chatInClient = APIErrorCode(rawValue: "chat_in_client")
    /// Nothing matches (route, id).
    public static let notFound = APIErrorCode(rawValue: "not_found")
    /// The path is served, but not with this method (`Allow` lists those that are).
    public static let methodNotAllowed = APIErrorCode(rawValue: "method_not_allowed")
    /// Missing or wrong bearer token.
    public static let unauthorized = APIErrorCode(rawValue: "unauthorized")
    /// A Host that is not loopback on a tokenless listener.
    public static let forbiddenHost = APIErrorCode(rawValue: "forbidden_host")
    /// A foreign Origin on a tokenless listener.
    public static let forbiddenOrigin = APIErrorCode(rawValue: "forbidden_origin")
    /// The body is not `application/json`.
    public static let unsupportedMediaType = APIErrorCode(rawValue: "unsupported_media_type")
    /// The body is over 1 MiB.
    public static let payloadTooLarge = APIErrorCode(rawValue: "payload_too_large")
    /// The headers did not arrive in time.
    public static let requestTimeout = APIErrorCode(rawValue: "request_timeout")
    /// `host.max_connections` are open.
    public static let tooManyConnections = APIErrorCode(rawValue: "too_many_connections")
    /// `host.max_event_streams` are open.
    public static let tooManyStreams = APIErrorCode(rawValue: "too_many_streams")
    /// The connector is not running.
    public static let connectorUnavailable = APIErrorCode(rawValue: "connector_unavailable")
    /// The external system could not be reached in time.
    public static let upstreamError = APIErrorCode(rawValue: "upstream_error")
    /// The host's store does not answer (a shared database down or restarting): nothing was
    /// written; retry shortly.
    public static let storeUnavailable = APIErrorCode(rawValue: "store_unavailable")
    /// A failure of the host itself (its log says more).
    public static let `internal` = APIErrorCode(rawValue: "internal")

    // A connector's errors (ConnectorError's codes, passed through).
    /// The connector's settings are wrong.
    public static let misconfigured = APIErrorCode(rawValue: "misconfigured")
    /// The feature is not enabled on the connector.
    public static let featureNotEnabled = APIErrorCode(rawValue: "feature_not_enabled")
    /// The request is invalid for the external system.
    public static let invalidRequest = APIErrorCode(rawValue: "invalid_request")
    /// The request conflicts with the state (an Idempotency-Key reused for another request).
    public static let conflict = APIErrorCode(rawValue: "conflict")
    /// The external system's rate limit.
    public static let rateLimited = APIErrorCode(rawValue: "rate_limited")
    /// The external system failed.
    public static let upstream = APIErrorCode(rawValue: "upstream")
    /// The external system or the connector is unavailable.
    public static let unavailable = APIErrorCode(rawValue: "unavailable")
    /// The module has not implemented the operation.
    public static let notImplemented = APIErrorCode(rawValue: "not_implemented")

    /// Every code, as openapi.yaml lists them.
    public static let all: [APIErrorCode] = [
        badRequest, missingParameter, invalidParameter, invalidBody, missingIdempotencyKey, ambiguousConnector, chatInClient, notFound, methodNotAllowed, unauthorized,
        forbiddenHost, forbiddenOrigin, unsupportedMediaType, payloadTooLarge, requestTimeout, tooManyConnections, tooManyStreams,
        connectorUnavailable, upstreamError, storeUnavailable, `internal`, misconfigured, featureNotEnabled, invalidRequest, conflict, rateLimited, upstream,
        unavailable, notImplemented,
    ]
}
