/// An access token and the instance it is for. Two sessions are the same when their tokens are.
public struct SalesforceSession: Sendable, Equatable, CustomStringConvertible {
    /// The bearer token (a secret: never printed).
    public let accessToken: String
    /// The base URL for REST calls (`instance_url`).
    public let instanceURL: String
    /// The run-as user's id (the last segment of the identity URL `id`), when given.
    public let userID: String?

    /// Creates a session.
    public init(accessToken: String, instanceURL: String, userID: String? = nil) {
        self.accessToken = accessToken
        self.instanceURL = instanceURL
        self.userID = userID
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.accessToken == rhs.accessToken }

    public var description: String { "SalesforceSession(instance: \(instanceURL), token: <redacted>)" }
}
