import ConnectorKit
import Foundation

/// The `LiveAgent` requests the API sends: start a handoff, write to it, type, end it, log an
/// employee out. With several hosts on one store, any host serves them; the stream's holder relays
/// the agent's side (``LiveAgentService+Leases``).
extension LiveAgentService {
    func startHandoff(_ request: HandoffRequest) async throws -> Handoff {
        let employee = request.employeeId.trimmingCharacters(in: .whitespaces)
        guard !employee.isEmpty else { throw ConnectorError.invalidRequest("employeeId is required (the employee's stable id)", field: "employeeId") }
        if !settings.topics.isEmpty {
            guard let topic = request.topic, settings.topics.contains(topic) else {
                throw ConnectorError.invalidRequest("topic must be one of: \(settings.topics.joined(separator: ", "))"
                                                    + (request.topic.map { " (got '\($0)')" } ?? " (none given)"), field: "topic")
            }
        }
        let session = self.session(employee)
        do {
            _ = try await session.access()
            state.withLock { $0.refusal = nil }
        } catch let error as ConnectorError where error.code == .unauthorized {
            state.withLock { $0.refusal = error.message }
            throw error
        }
        let now = context.clock.now()
        let record = HandoffRecord(id: "ho_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""), connector: context.connectorName,
                                   conversationId: UUID().uuidString.lowercased(), employeeId: employee, status: .pending, request: request,
                                   createdAt: now, updatedAt: now)
        try await context.handoffs.save(record)
        register(record)
        ensureStream(employee)
        do {
            try await client.createConversation(id: record.conversationId, routingAttributes: routingAttributes(request), auth: session)
        } catch {
            // Ended in memory, or (its stream being another host's) as stored.
            var ended = record
            ended.status = .ended
            ended.endReason = "the conversation could not be created"
            ended.updatedAt = context.clock.now()
            try? await context.handoffs.save(advance(record.id, eventId: nil, status: .ended, reason: ended.endReason) ?? ended)
            throw error
        }
        if let summary = request.summary?.trimmingCharacters(in: .whitespacesAndNewlines), !summary.isEmpty {
            try await sendMessage(handoffId: record.id, text: summary)
        }
        return try await handoff(id: record.id) ?? record.handoff
    }

    func sendMessage(handoffId: String, text: String) async throws {
        guard !text.isEmpty else { throw ConnectorError.invalidRequest("text is empty", field: "text") }
        let record = try await messagable(handoffId)
        let session = self.session(record.employeeId)
        let messageId = UUID().uuidString.lowercased()
        do {
            try await client.sendMessage(conversationId: record.conversationId, messageId: messageId, text: text, newSession: nil, auth: session)
        } catch is MessagingRefusal.NoSession {
            // 417: the session is over; the same message opens a new one, routed again.
            var reopened = record
            reopened.status = .pending
            reopened.endReason = nil
            reopened.updatedAt = context.clock.now()
            try await context.handoffs.save(reopened)
            register(reopened)
            ensureStream(record.employeeId)
            try await client.sendMessage(conversationId: record.conversationId, messageId: messageId, text: text,
                                         newSession: routingAttributes(record.request), auth: session)
        }
    }

    func setTyping(handoffId: String, isTyping: Bool) async throws {
        let record = try await messagable(handoffId)
        try await client.typing(conversationId: record.conversationId, started: isTyping, auth: session(record.employeeId))
    }

    func endHandoff(handoffId: String) async throws { try await close(handoffId: handoffId, reason: nil) }

    func endHandoff(handoffId: String, reason: String) async throws { try await close(handoffId: handoffId, reason: reason) }

    /// Closes the conversation and relays `handoff.closed`. The employee's end waits for the agent's
    /// side to close; the host's (with `reason`: the connector is removed) is announced first — the
    /// handoff is over for the assistant whatever the agent's side answers, and the close the stream
    /// then sees is the same entry, relayed once — and the conversation closed after, best effort.
    private func close(handoffId: String, reason: String?) async throws {
        guard let record = try await context.handoffs.handoff(id: handoffId) else { throw ConnectorError.notFound("no handoff \(handoffId)") }
        if record.endReason == "closed" { return }
        if reason == nil { try await client.close(conversationId: record.conversationId, auth: session(record.employeeId)) }
        let wasOpen = state.withLock { $0.open[record.id] != nil }
        try await deliver(.init(identifier: MessagingEntryMapper.closedIdentifier, kind: .closed(reason: reason), occurredAt: context.clock.now()),
                          handoffId: record.id, eventId: nil)
        if !wasOpen {
            var closed = record
            closed.status = .ended
            closed.endReason = "closed"
            closed.updatedAt = context.clock.now()
            try await context.handoffs.save(closed)
        }
        if reason != nil { await closeQuietly(record) }
    }

    /// Closes a conversation on the agent's side after the handoff ended; a failure is logged.
    private func closeQuietly(_ record: HandoffRecord) async {
        do {
            try await client.close(conversationId: record.conversationId, auth: session(record.employeeId))
        } catch {
            context.logger.warning("the handoff ended, but its conversation could not be closed on the agent's side", metadata: [
                "handoff": .string(record.id), "error": .string(String(describing: error)),
            ])
        }
    }

    func logout(employeeId: String) async throws {
        // With several hosts, the employee's handoffs may be streamed by another: the store knows them all.
        let open = shared ? try await context.handoffs.open().filter { $0.employeeId == employeeId } : state.withLock { $0.openRecords(employeeId) }
        for record in open { try await endHandoff(handoffId: record.id) }
        let session = state.withLock { $0.sessions.removeValue(forKey: employeeId) }
        if let session, let token = try? await session.token() { try await client.revoke(token: token) }
    }

    /// A handoff of this connector, as stored.
    func handoff(id: String) async throws -> Handoff? {
        if let record = state.withLock({ $0.open[id] }) { return record.handoff }
        return try await context.handoffs.handoff(id: id)?.handoff
    }

    /// A handoff that can take messages: open, or its session ended (by the agent, the employee or a
    /// timeout) with the conversation open — a message reopens it.
    private func messagable(_ handoffId: String) async throws -> HandoffRecord {
        if let record = state.withLock({ $0.open[handoffId] }) { return record }
        guard let record = try await context.handoffs.handoff(id: handoffId) else { throw ConnectorError.notFound("no handoff \(handoffId)") }
        // Open, its stream followed by another host.
        if record.status != .ended { return record }
        guard let reason = record.endReason, Self.sessionEndReasons.contains(reason) else {
            throw ConnectorError.conflict("handoff \(handoffId) is over (\(record.endReason ?? "ended")); start a new one")
        }
        return record
    }

    private func routingAttributes(_ request: HandoffRequest) -> [String: String] {
        var attributes = request.attributes
        attributes[settings.userAttribute] = request.employeeId
        if let topic = request.topic { attributes[settings.topicAttribute] = topic }
        if let first = request.firstName { attributes["_firstName"] = first }
        if let last = request.lastName { attributes["_lastName"] = last }
        if let email = request.email { attributes["_email"] = email }
        return attributes
    }
}
