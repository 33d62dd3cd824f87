/// An access token and the instance it is for. Two sessions are the same when their tokens are.
public struct SalesforceSession: Sendable, Equatable, CustomStringConvertible {
    /// The bearer token (a secret: never printed).
    public let accessToken: String
    /// The base URL for REST calls (`instance_url`).
    public let instanceURL: String

    /// Creates a session.
    public init(accessToken: String, instanceURL: String) {
        self.accessToken = accessToken
        self.instanceURL = instanceURL
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.accessToken == rhs.accessToken }

    public var description: String { "SalesforceSession(instance: \(instanceURL), token: <redacted>)" }
}
