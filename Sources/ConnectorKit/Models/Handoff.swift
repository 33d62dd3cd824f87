import Foundation

/// What the assistant sends to hand an employee to a human agent.
public struct HandoffRequest: Sendable, Hashable, Codable {
    /// The employee's stable id (the verification token's `sub`).
    public var employeeId: String
    /// The employee's email.
    public var email: String?
    /// Given name.
    public var firstName: String?
    /// Family name.
    public var lastName: String?
    /// The topic, one of the connector's configured topics (routes to a queue).
    public var topic: String?
    /// A summary of the conversation so far, sent as the first message.
    public var summary: String?
    /// Extra routing attributes, by name.
    public var attributes: [String: String]

    /// Creates a request.
    public init(
        employeeId: String, email: String? = nil, firstName: String? = nil, lastName: String? = nil,
        topic: String? = nil, summary: String? = nil, attributes: [String: String] = [:]
    ) {
        self.employeeId = employeeId
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.topic = topic
        self.summary = summary
        self.attributes = attributes
    }
}

/// An open handoff: the conversation with the human side.
public struct Handoff: Sendable, Hashable, Codable {
    /// Where the handoff is.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Created; not yet routed.
        case pending
        /// Waiting for an agent.
        case queued
        /// An agent is engaged.
        case active
        /// Over.
        case ended
    }

    /// The host's id for the handoff.
    public var id: String
    /// The external conversation id.
    public var conversationId: String
    /// The employee.
    public var employeeId: String
    /// Where it is.
    public var status: Status

    /// Creates a handoff.
    public init(id: String, conversationId: String, employeeId: String, status: Status) {
        self.id = id
        self.conversationId = conversationId
        self.employeeId = employeeId
        self.status = status
    }
}

/// Who ended a messaging session other than the agent.
public enum SessionEnder: String, Sendable, Hashable, Codable {
    /// The employee (the end user) ended it.
    case employee
    /// Nobody wrote for too long.
    case timeout
    /// The system did not say.
    case unknown

    /// The handoff's end reason.
    public var endReason: String {
        switch self {
        case .employee: "ended by the employee"
        case .timeout: "the session timed out"
        case .unknown: "the session ended"
        }
    }
}

/// Something the human side of a handoff did, relayed to the assistant.
public struct HandoffEvent: Sendable, Hashable, Codable {
    /// What happened.
    public enum Kind: Sendable, Hashable, Codable {
        /// Waiting in a queue; estimated wait when the system gives one.
        case queued(estimatedWaitSeconds: Int?)
        /// Routing failed.
        case routingFailed(reason: String)
        /// An agent joined.
        case agentJoined(displayName: String)
        /// An agent left.
        case agentLeft(displayName: String)
        /// An agent or bot wrote a message.
        case agentMessage(text: String, senderDisplayName: String?)
        /// The agent started typing.
        case typingStarted
        /// The agent stopped typing.
        case typingStopped
        /// The agent ended the session.
        case endedByAgent
        /// The session ended otherwise: the employee ended it, or it timed out — as far as the
        /// system says (``SessionEnder``). A new message opens a new session, as after the agent.
        case sessionEnded(endedBy: SessionEnder)
        /// The conversation is closed; `reason` says why when the host closed it (a connector
        /// removed from the configuration), nil when the employee or the agent's system did.
        case closed(reason: String?)
    }

    /// The host's handoff id.
    public var handoffId: String
    /// The external entry id, used to de-duplicate.
    public var entryId: String
    /// What happened.
    public var kind: Kind
    /// When it happened.
    public var occurredAt: Date

    /// Creates an event.
    public init(handoffId: String, entryId: String, kind: Kind, occurredAt: Date) {
        self.handoffId = handoffId
        self.entryId = entryId
        self.kind = kind
        self.occurredAt = occurredAt
    }
}
