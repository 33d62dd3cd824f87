import Foundation

/// The authenticated-chat-token capability: the employee talks to agents in the external service's
/// own chat client, which the host authorises with a signed token (Live Assist for Dynamics 365's
/// `authoriseChatWithCallback`). A connector offers it from ``Connector/chatTokens`` for its
/// ``Feature/liveAgent`` feature instead of relaying messages itself; the host stores each token's
/// handoff like any other, so the assistant can read and end it.
public protocol ChatTokenIssuer: Sendable {
    /// Finds the employee in the external system and signs a chat token for them.
    func issueChatToken(for request: HandoffRequest) async throws -> ChatToken
}

/// A signed chat token for one employee. Its `description` never shows the token.
public struct ChatToken: Sendable, CustomStringConvertible {
    /// The external system's id of the person the token names (the Dynamics contact GUID).
    public var conversationId: String
    /// The token for the chat client.
    public var token: Secret
    /// When it expires.
    public var expiresAt: Date

    /// Creates a token.
    public init(conversationId: String, token: Secret, expiresAt: Date) {
        self.conversationId = conversationId
        self.token = token
        self.expiresAt = expiresAt
    }

    public var description: String { "ChatToken(conversation: \(conversationId), expires: \(expiresAt))" }
}
