/// One source file per feature: the interface's shape with every operation throwing
/// `ConnectorError.notImplemented` and a `TODO` that says what to write.
struct FeatureTemplates {
    let name: ConnectorName

    func source(for feature: ScaffoldFeature) -> String {
        let t = name.typePrefix
        let todo = { (operation: String) in #"throw ConnectorError.notImplemented("\#(operation)", module: "\#(name.module)")"# }
        switch feature {
        case .ticketing:
            return """
                import ConnectorKit

                /// The `ticketing` feature: open, follow and comment on \(t) tickets for the assistant.
                struct \(t)Ticketing: Ticketing {
                    let connection: \(t)Connection

                    func createTicket(_ request: NewTicket) async throws -> Ticket {
                        // TODO: create the ticket through connection.context.http, resolving the token with
                        // connection.context.vault.resolve(connection.settings.apiToken) for this request only.
                        // The same request.idempotencyKey must never make a second ticket: send it as the API's
                        // idempotency key, or look for the ticket it made before creating one.
                        \(todo("ticketing.create"))
                    }

                    func updateTicket(id: String, _ update: TicketUpdate) async throws -> Ticket {
                        // TODO: change status, priority or fields; answer ConnectorError.notFound for an unknown id.
                        \(todo("ticketing.update"))
                    }

                    func ticket(id: String) async throws -> Ticket {
                        // TODO: fetch the ticket with its comments.
                        \(todo("ticketing.get"))
                    }

                    func tickets(requesterEmail: String, state: TicketStateFilter) async throws -> [Ticket] {
                        // TODO: list the requester's tickets.
                        \(todo("ticketing.list"))
                    }

                    func addComment(ticketId: String, body: String, isPublic: Bool) async throws -> TicketComment {
                        // TODO: add the comment; isPublic decides whether the requester sees it.
                        \(todo("ticketing.comment"))
                    }

                    func watchChanges() async throws {
                        // TODO: poll for status changes and agent comments (ScheduledWork does the loop), emit
                        // ConnectorEvent.ticket through connection.context.events and keep a cursor in the store.
                        \(todo("ticketing.watch"))
                    }
                }

                """
        case .userIngestion:
            return """
                import ConnectorKit

                /// The `user-ingestion` feature: mirror \(t)'s people into the host's store.
                struct \(t)UserIngestion: UserIngestion {
                    let connection: \(t)Connection

                    func syncUsers(mode: SyncMode, progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport {
                        // TODO: read users changed since the checkpoint (connection.context.store.checkpoint(stream: .users)),
                        // page by page, and write each page with the cursor that covers it in one batch:
                        //   try await connection.context.sink.commit(RecordBatch(connector: connection.context.connectorName,
                        //       stream: .users, upserts: users.map(SyncRecord.user), checkpoint: cursor))
                        // The checkpoint moves only with its records; a second run with nothing new writes nothing.
                        \(todo("user-ingestion.sync"))
                    }
                }

                """
        case .knowledge:
            return """
                import ConnectorKit

                /// The `knowledge` feature: load \(t)'s published articles into the host's store.
                struct \(t)Knowledge: KnowledgeLoad {
                    let connection: \(t)Connection

                    func syncArticles(mode: SyncMode, progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport {
                        // TODO: read published articles changed since the checkpoint (stream .articles) and commit
                        // each page with its cursor in one RecordBatch; remove unpublished ones (deletions, or
                        // sink.reconcile after a full read).
                        \(todo("knowledge.sync"))
                    }
                }

                """
        case .liveAgent:
            return """
                import ConnectorKit

                /// The `live-agent` feature: hand a conversation to a human agent in \(t) and relay it both ways.
                struct \(t)LiveAgent: LiveAgent {
                    let connection: \(t)Connection

                    func startHandoff(_ request: HandoffRequest) async throws -> Handoff {
                        // TODO: open the conversation, save it with connection.context.handoffs.save(…), and relay the
                        // agent's side as ConnectorEvent.handoff events through connection.context.events.
                        \(todo("live-agent.start"))
                    }

                    func sendMessage(handoffId: String, text: String) async throws {
                        // TODO: relay the employee's message.
                        \(todo("live-agent.send"))
                    }

                    func setTyping(handoffId: String, isTyping: Bool) async throws {
                        // TODO: tell the agent whether the employee is typing.
                        \(todo("live-agent.typing"))
                    }

                    func endHandoff(handoffId: String) async throws {
                        // TODO: end the conversation from the employee's side.
                        \(todo("live-agent.end"))
                    }

                    func logout(employeeId: String) async throws {
                        // TODO: clear the employee's session and revoke their tokens.
                        \(todo("live-agent.logout"))
                    }
                }

                """
        }
    }
}
