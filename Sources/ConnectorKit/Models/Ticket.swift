import Foundation

/// A support ticket (a Salesforce Case) as the assistant sees it.
public struct Ticket: Sendable, Hashable, Codable {
    /// The external system's id (`500…` in Salesforce).
    public var id: String
    /// The human-facing number (`00001026`), when the system has one.
    public var number: String?
    /// One-line summary.
    public var subject: String
    /// Longer description.
    public var description: String?
    /// The system's status value (`New`, `Working`, `Closed`).
    public var status: String
    /// The system's priority value (`Low`, `Medium`, `High`).
    public var priority: String?
    /// Where the ticket came from (`Chat`, `Web`).
    public var origin: String?
    /// Whether the system considers the ticket closed.
    public var isClosed: Bool
    /// Who the ticket is for.
    public var requester: Requester
    /// Extra mapped fields (`External_Id__c`), by field name.
    public var fields: [String: String]
    /// The comments, oldest first, when fetched with the ticket.
    public var comments: [TicketComment]
    /// When the ticket was created.
    public var createdAt: Date
    /// When the ticket last changed.
    public var updatedAt: Date

    /// Creates a ticket.
    public init(
        id: String, number: String? = nil, subject: String, description: String? = nil, status: String,
        priority: String? = nil, origin: String? = nil, isClosed: Bool, requester: Requester,
        fields: [String: String] = [:], comments: [TicketComment] = [], createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.number = number
        self.subject = subject
        self.description = description
        self.status = status
        self.priority = priority
        self.origin = origin
        self.isClosed = isClosed
        self.requester = requester
        self.fields = fields
        self.comments = comments
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The person a ticket is for.
public struct Requester: Sendable, Hashable, Codable {
    /// The requester's email, the key the assistant knows them by.
    public var email: String
    /// The external system's id for the person (a Salesforce ContactId), when resolved.
    public var externalId: String?

    /// Creates a requester.
    public init(email: String, externalId: String? = nil) {
        self.email = email
        self.externalId = externalId
    }
}

/// A comment on a ticket (a Salesforce CaseComment).
public struct TicketComment: Sendable, Hashable, Codable {
    /// Who wrote a comment, relative to the integration.
    public enum Author: String, Sendable, Hashable, Codable {
        /// The integration user (comments the assistant added).
        case integration
        /// Anybody else (an agent, an automation).
        case agent
    }

    /// The external system's id.
    public var id: String
    /// The text.
    public var body: String
    /// Whether the requester can see it (`IsPublished`).
    public var isPublic: Bool
    /// Who wrote it.
    public var author: Author
    /// When it was written.
    public var createdAt: Date

    /// Creates a comment.
    public init(id: String, body: String, isPublic: Bool, author: Author, createdAt: Date) {
        self.id = id
        self.body = body
        self.isPublic = isPublic
        self.author = author
        self.createdAt = createdAt
    }
}

/// What the assistant asks for when it opens a ticket.
public struct NewTicket: Sendable, Hashable, Codable {
    /// The requester's email; the connector resolves it to the system's person record.
    public var requesterEmail: String
    /// One-line summary.
    public var subject: String
    /// Longer description.
    public var description: String?
    /// Priority, in the system's values.
    public var priority: String?
    /// Extra fields, by the names configured in the connector's field mapping.
    public var fields: [String: String]
    /// The caller's idempotency key: the same key never creates a second ticket.
    public var idempotencyKey: String

    /// Creates a request.
    public init(
        requesterEmail: String, subject: String, description: String? = nil, priority: String? = nil,
        fields: [String: String] = [:], idempotencyKey: String
    ) {
        self.requesterEmail = requesterEmail
        self.subject = subject
        self.description = description
        self.priority = priority
        self.fields = fields
        self.idempotencyKey = idempotencyKey
    }
}

/// A change to a ticket; `nil` members stay as they are.
public struct TicketUpdate: Sendable, Hashable, Codable {
    /// New status.
    public var status: String?
    /// New priority.
    public var priority: String?
    /// Fields to set.
    public var fields: [String: String]

    /// Creates an update.
    public init(status: String? = nil, priority: String? = nil, fields: [String: String] = [:]) {
        self.status = status
        self.priority = priority
        self.fields = fields
    }
}

/// Which of a requester's tickets to list.
public enum TicketStateFilter: String, Sendable, Hashable, Codable, CaseIterable {
    /// Tickets not closed.
    case open
    /// Closed tickets.
    case closed
    /// Both.
    case all
}

/// Something that happened to a ticket that the assistant should know about.
public struct TicketEvent: Sendable, Hashable, Codable {
    /// What happened.
    public enum Kind: Sendable, Hashable, Codable {
        /// The status changed.
        case statusChanged(from: String?, to: String)
        /// Somebody other than the integration added a public comment: the employee's attention is needed.
        case publicCommentAdded(TicketComment)
    }

    /// The ticket.
    public var ticketId: String
    /// The requester's email, when known.
    public var requesterEmail: String?
    /// What happened.
    public var kind: Kind
    /// When it happened in the external system.
    public var occurredAt: Date

    /// Creates an event.
    public init(ticketId: String, requesterEmail: String?, kind: Kind, occurredAt: Date) {
        self.ticketId = ticketId
        self.requesterEmail = requesterEmail
        self.kind = kind
        self.occurredAt = occurredAt
    }
}
