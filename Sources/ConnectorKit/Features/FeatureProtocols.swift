/// The ``Feature/ticketing`` interface: open and follow tickets for the people the assistant serves.
public protocol Ticketing: Sendable {
    /// Creates a ticket. The same ``NewTicket/idempotencyKey`` never creates a second ticket.
    func createTicket(_ request: NewTicket) async throws -> Ticket
    /// Changes a ticket's status, priority or fields.
    func updateTicket(id: String, _ update: TicketUpdate) async throws -> Ticket
    /// Fetches a ticket with its comments.
    func ticket(id: String) async throws -> Ticket
    /// Lists a requester's tickets.
    func tickets(requesterEmail: String, state: TicketStateFilter) async throws -> [Ticket]
    /// Adds a comment; `isPublic` decides whether the requester sees it.
    func addComment(ticketId: String, body: String, isPublic: Bool) async throws -> TicketComment
    /// Follows ticket changes until cancelled or shut down, emitting ``TicketEvent``s through the
    /// context's event sink and keeping a durable cursor in the context's store.
    func watchChanges() async throws
}

/// The ``Feature/userIngestion`` interface: mirror people into the host's store.
public protocol UserIngestion: Sendable {
    /// Reads users and writes them through the context's record sink, moving the checkpoint only
    /// together with durable records.
    func syncUsers(mode: SyncMode, progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport
}

/// The ``Feature/knowledge`` interface: load published articles into the host's store.
public protocol KnowledgeLoad: Sendable {
    /// Reads published articles and writes them through the context's record sink, removing
    /// archived and unpublished ones.
    func syncArticles(mode: SyncMode, progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport
}

/// The ``Feature/liveAgent`` interface: hand a conversation to a human agent and relay it.
public protocol LiveAgent: Sendable {
    /// Starts a handoff. Events then flow through the context's event sink.
    func startHandoff(_ request: HandoffRequest) async throws -> Handoff
    /// Relays one of the employee's messages.
    func sendMessage(handoffId: String, text: String) async throws
    /// Tells the agent whether the employee is typing.
    func setTyping(handoffId: String, isTyping: Bool) async throws
    /// Ends the handoff from the employee's side.
    func endHandoff(handoffId: String) async throws
    /// Ends the handoff because the host retires the connector (removed from the configuration):
    /// closed on the agent's side like ``endHandoff(handoffId:)``, and announced with `reason`.
    func endHandoff(handoffId: String, reason: String) async throws
    /// Clears the employee's session and revokes their tokens.
    func logout(employeeId: String) async throws
}

extension LiveAgent {
    /// By default the handoff ends as the employee would end it (the module announces its own close).
    public func endHandoff(handoffId: String, reason: String) async throws { try await endHandoff(handoffId: handoffId) }
}
