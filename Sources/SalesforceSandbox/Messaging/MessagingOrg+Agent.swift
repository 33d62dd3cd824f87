import Foundation
import ServiceLifecycle

extension MessagingOrg {
    /// What a conversation looks like from the agent's desk (tests and the control API).
    public struct ConversationView: Sendable, Codable, Hashable {
        /// The conversation id.
        public var conversationId: String
        /// The verified end user's subject.
        public var endUser: String
        /// `INITIAL`, `NEEDS_ROUTING`, `ROUTED`.
        public var routingStatus: String
        /// Whether a messaging session is open.
        public var sessionOpen: Bool
        /// Whether the conversation is closed.
        public var closed: Bool
        /// The routing attributes received.
        public var routingAttributes: [String: String]
        /// The end user's messages, in order.
        public var endUserMessages: [EndUserMessage]
        /// The identifiers of the agent's messages, in order.
        public var agentMessageIds: [String]
    }

    /// A conversation as the agent sees it.
    public func view(conversationId: String) -> ConversationView? {
        state.withLock { state in
            state.conversations[conversationId].map { conversation in
                ConversationView(
                    conversationId: conversation.id, endUser: conversation.subject, routingStatus: conversation.routingStatus,
                    sessionOpen: conversation.sessionOpen, closed: conversation.closed, routingAttributes: conversation.routingAttributes,
                    endUserMessages: conversation.endUserMessages,
                    agentMessageIds: conversation.entries.filter { $0.entryType == "Message" && $0.role == "Agent" }.map(\.identifier))
            }
        }
    }

    /// Every conversation, newest last.
    public var conversationIds: [String] { state.withLock { Array($0.conversations.keys).sorted() } }

    /// Why verification JWTs were refused, oldest first.
    public var refusals: [String] { state.withLock { $0.refusals } }

    // MARK: The agent, driven by hand (control API, tests, benchmarks)

    /// The routing result: queued with an estimated wait, or failed for a reason.
    public func routingResult(conversationId: String, estimatedWaitSeconds: Int = 45, failure: String? = nil) {
        agentEntry(conversationId) { conversation in
            conversation.routingStatus = failure == nil ? "ROUTED" : "NEEDS_ROUTING"
            let id = UUID().uuidString.lowercased()
            let payload = "{\"entryType\":\"RoutingResult\",\"id\":\"\(id)\",\"recordId\":\"0MwSBX000000001AAA\",\"pendingServiceRoutingId\":\"0JRSBX000000001AAA\","
                + "\"routingType\":\"Initial\",\"failureType\":\"\(failure == nil ? "None" : "RoutingError")\",\"failureReason\":\(JSONText.string(failure ?? "")),"
                + "\"errorMessages\":\(failure.map { "[\(JSONText.string($0))]" } ?? "[]"),\"isExternallyRouted\":false,"
                + "\"estimatedWaitTime\":{\"estimatedWaitTimeInSeconds\":\(failure == nil ? estimatedWaitSeconds : -1),\"isEWTRequested\":true},"
                + "\"routingConfigurationDetails\":{\"routingConfigurationType\":\"QueueRoutingType\",\"queueId\":\"00GSBX000000001AAA\"},\"workOwnerId\":null,\"cancelReason\":null}"
            return Entry(identifier: id, entryType: "RoutingResult", role: "Router", displayName: "Omni-Channel", payload: payload, timestamp: Self.milliseconds())
        }
    }

    /// The agent joins (`operation: add`) or leaves (`remove`).
    public func agentParticipant(conversationId: String, name: String, joins: Bool) {
        agentEntry(conversationId) { _ in
            let id = UUID().uuidString.lowercased()
            let payload = "{\"entryType\":\"ParticipantChanged\",\"id\":\"\(id)\",\"entries\":[{\"operation\":\"\(joins ? "add" : "remove")\","
                + "\"displayName\":\(JSONText.string(name)),\"participant\":{\"role\":\"Agent\",\"appType\":\"agent\",\"subject\":\"005SBX000000002AAA\",\"clientIdentifier\":\"\"}}]}"
            return Entry(identifier: id, entryType: "ParticipantChanged", role: "System", displayName: "System", payload: payload, timestamp: Self.milliseconds())
        }
    }

    /// The agent sends a message; returns its entry identifier.
    @discardableResult
    public func agentMessage(conversationId: String, text: String, name: String = "Dana Whitfield") -> String {
        let id = UUID().uuidString.lowercased()
        agentEntry(conversationId) { _ in
            Entry(identifier: id, entryType: "Message", role: "Agent", displayName: name, payload: Self.messagePayload(id: id, text: text),
                  timestamp: Self.milliseconds())
        }
        return id
    }

    /// The agent starts or stops typing.
    public func agentTyping(conversationId: String, started: Bool, name: String = "Dana Whitfield") {
        let type = started ? "TypingStartedIndicator" : "TypingStoppedIndicator"
        let id = UUID().uuidString.lowercased()
        let entry = Entry(identifier: id, entryType: type, role: "Agent", displayName: name,
                          payload: "{\"entryType\":\"\(type)\",\"id\":\"\(id)\"}", timestamp: Self.milliseconds())
        try? mutate(conversationId, subject: nil) { (conversation, state) throws(Refusal) in
            guard !conversation.closed else { return }
            // Typing indicators are streamed, not kept in the conversation's history.
            Self.emit(entry, event: Self.eventName(type), conversation: conversation, state: &state)
        }
    }

    /// Who ends a messaging session, and how the `SessionStatusChanged` entry says so (its payload's
    /// fields are not documented; the sender's role is — EndUser, Agent, System).
    public enum SessionEnd: String, Sendable {
        /// The agent ends it (the agent leaves first).
        case agent
        /// The end user ends it.
        case endUser = "end-user"
        /// Nobody wrote for too long.
        case inactivity

        var entry: (role: String, status: String, reason: String) {
            switch self {
            case .agent: ("Agent", "Ended", "AgentEnded")
            case .endUser: ("EndUser", "Ended", "EndUserEnded")
            case .inactivity: ("System", "Inactive", "Timeout")
            }
        }
    }

    /// The agent ends the messaging session: the agent leaves, then `SessionStatusChanged` (Ended).
    public func agentEndsSession(conversationId: String, name: String = "Dana Whitfield") {
        endSession(conversationId: conversationId, by: .agent, agentName: name)
    }

    /// The session ends — by the agent (who leaves first), the end user, or inactivity.
    public func endSession(conversationId: String, by who: SessionEnd, agentName: String = "Dana Whitfield") {
        if who == .agent { agentParticipant(conversationId: conversationId, name: agentName, joins: false) }
        agentEntry(conversationId) { conversation in
            conversation.sessionOpen = false
            conversation.awaitingEmployee = false
            let id = UUID().uuidString.lowercased()
            let (role, status, reason) = who.entry
            return Entry(identifier: id, entryType: "SessionStatusChanged", role: role, displayName: role == "Agent" ? agentName : role,
                         payload: "{\"entryType\":\"SessionStatusChanged\",\"id\":\"\(id)\",\"sessionStatus\":\"\(status)\",\"reason\":\"\(reason)\"}",
                         timestamp: Self.milliseconds())
        }
    }

    private func agentEntry(_ conversationId: String, _ make: (inout Conversation) -> Entry) {
        try? mutate(conversationId, subject: nil) { (conversation, state) throws(Refusal) in
            guard !conversation.closed else { return }
            let entry = make(&conversation)
            Self.append(entry, to: &conversation, state: &state)
        }
    }

    // MARK: The scripted agent

    /// Runs the script's due steps until graceful shutdown.
    func runScript() async {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(10)) }
            } catch {
                return
            }
            runDueSteps()
        }
    }

    /// Performs the steps that are due now.
    func runDueSteps(now: ContinuousClock.Instant = .now) {
        guard let script = configuration.script else { return }
        let due = state.withLock { state -> [Scheduled] in
            guard state.scheduled.contains(where: { $0.due <= now }) else { return [] }
            let due = state.scheduled.filter { $0.due <= now }.sorted { $0.due < $1.due }
            state.scheduled.removeAll { $0.due <= now }
            return due
        }
        for item in due { perform(item, script: script) }
    }

    private func perform(_ item: Scheduled, script: MessagingScript) {
        guard let conversation = state.withLock({ $0.conversations[item.conversationId] }), !conversation.closed,
              conversation.session == item.session, conversation.sessionOpen else { return }
        func schedule(_ step: Step, after delay: Duration) {
            state.withLock { $0.scheduled.append(Scheduled(due: .now + delay, conversationId: item.conversationId, session: item.session, step: step)) }
        }
        let id = item.conversationId
        switch item.step {
        case .route:
            if let topic = conversation.routingAttributes.values.first(where: { script.unroutableTopics.contains($0) }) {
                routingResult(conversationId: id, failure: "No queue accepts work for topic \(topic).")
            } else {
                routingResult(conversationId: id, estimatedWaitSeconds: script.estimatedWaitSeconds)
                schedule(.join, after: script.joinDelay)
            }
        case .join:
            agentParticipant(conversationId: id, name: script.agentName, joins: true)
            if !script.replies.isEmpty { schedule(.typing(0), after: script.replyInterval) }
        case .typing(let index):
            agentTyping(conversationId: id, started: true, name: script.agentName)
            schedule(.reply(index), after: script.typingTime)
        case .reply(let index):
            agentTyping(conversationId: id, started: false, name: script.agentName)
            agentMessage(conversationId: id, text: script.replies[index], name: script.agentName)
            if index + 1 < script.replies.count {
                schedule(.typing(index + 1), after: script.replyInterval)
            } else {
                // The agent waits for the employee's answer (a message posted from now on).
                state.withLock { $0.conversations[id]?.awaitingEmployee = true }
                schedule(.endIfSilent, after: script.endAfter)
            }
        case .closingTyping:
            agentTyping(conversationId: id, started: true, name: script.agentName)
            schedule(.end, after: script.typingTime)
        case .end:
            agentTyping(conversationId: id, started: false, name: script.agentName)
            agentEndsSession(conversationId: id, name: script.agentName)
        case .endIfSilent:
            guard conversation.awaitingEmployee else { return }
            agentEndsSession(conversationId: id, name: script.agentName)
        }
    }
}
