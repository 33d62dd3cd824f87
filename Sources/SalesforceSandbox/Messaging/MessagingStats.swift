/// What an Enhanced Messaging deployment served, for tests that must tell "untouched" from
/// "reconnected": token requests, and per end-user subject the access tokens issued and the event
/// streams opened.
public struct MessagingStats: Sendable, Hashable, Codable {
    /// Token requests, refused ones included.
    public var tokenRequests: Int
    /// Access tokens issued, per subject.
    public var tokens: [String: Int]
    /// Event streams opened, per subject.
    public var streams: [String: Int]
}
