import Foundation
import Synchronization

/// The state of the sandbox's Enhanced Messaging deployment: access tokens per verified end user,
/// conversations with their entries, the numbered event log each end user's stream reads, and the
/// scripted agent's pending steps. Every method is synchronous and thread-safe.
public final class MessagingOrg: Sendable {
    struct Token: Sendable {
        let subject: String
        var expiresAt: ContinuousClock.Instant
        var revoked = false
    }

    /// One conversation entry (a message, a participant change, a routing result…).
    struct Entry: Sendable {
        let identifier: String
        let entryType: String
        let role: String
        let displayName: String
        /// The entry payload as a JSON object text.
        let payload: String
        let timestamp: Int64
    }

    struct Conversation: Sendable {
        let id: String
        let subject: String
        var routingAttributes: [String: String]
        var entries: [Entry] = []
        var sessionOpen = true
        var session = 1
        var closed = false
        var routingStatus = "INITIAL"
        var awaitingEmployee = false
        var endUserMessages: [EndUserMessage] = []
    }

    /// An event on an end user's stream.
    struct StreamEvent: Sendable {
        let id: Int
        let name: String
        let data: String
    }

    enum Step: Sendable, Hashable {
        case route, join, typing(Int), reply(Int), closingTyping, end, endIfSilent
    }

    struct Scheduled: Sendable {
        let due: ContinuousClock.Instant
        let conversationId: String
        let session: Int
        let step: Step
    }

    struct State: Sendable {
        var tokens: [String: Token] = [:]
        var conversations: [String: Conversation] = [:]
        var events: [String: [StreamEvent]] = [:]
        var nextEventId = 2_147_867_800
        /// Waiting streams, by subject, then by waiter key.
        var waiters: [String: [Int: (after: Int, continuation: CheckedContinuation<Void, any Error>)]] = [:]
        var nextWaiter = 0
        var scheduled: [Scheduled] = []
        var tokenRequests = 0
        /// Access tokens issued and event streams opened, per end-user subject.
        var tokensBySubject: [String: Int] = [:]
        var streamsBySubject: [String: Int] = [:]
        var refusals: [String] = []
        var uploadedKeys: [String]
        var jwksURL: String?
        var issuer: String
    }

    let configuration: MessagingConfiguration
    /// The 15-character org id (`X-Org-Id`).
    public let organizationID: String
    let state = Mutex(State(uploadedKeys: [], issuer: ""))

    /// A key Setup would not accept (``KeyUploadRules``).
    public struct KeyRefused: Error, CustomStringConvertible {
        /// Why.
        public let description: String
    }

    init(configuration: MessagingConfiguration, organizationID: String) throws(KeyRefused) {
        for key in configuration.uploadedKeys {
            if let refusal = KeyUploadRules.refusal(text: key) { throw KeyRefused(description: "uploaded key refused: \(refusal)") }
        }
        self.configuration = configuration
        self.organizationID = String(organizationID.prefix(15))
        state.withLock { state in
            state.uploadedKeys = configuration.uploadedKeys
            state.jwksURL = configuration.jwksURL
            state.issuer = configuration.issuer
        }
    }

    /// Replaces the user verification keyset: uploaded JWKs, or an endpoint URL (which wins), and the issuer.
    /// - Throws: ``KeyRefused`` for an uploaded key Setup would refuse (nothing changes then).
    public func setKeyset(uploadedKeys: [String], jwksURL: String?, issuer: String) throws(KeyRefused) {
        for key in uploadedKeys {
            if let refusal = KeyUploadRules.refusal(text: key) { throw KeyRefused(description: "uploaded key refused: \(refusal)") }
        }
        state.withLock { state in
            state.uploadedKeys = uploadedKeys
            state.jwksURL = jwksURL
            state.issuer = issuer
        }
    }

    /// The deployment with its current keyset.
    var currentConfiguration: MessagingConfiguration {
        state.withLock { state in
            var configuration = configuration
            configuration.uploadedKeys = state.uploadedKeys
            configuration.jwksURL = state.jwksURL
            configuration.issuer = state.issuer
            return configuration
        }
    }

    // MARK: Tokens

    /// Issues an access token for a verified subject.
    func issueToken(subject: String) -> (token: String, lastEventId: Int) {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        let token = "miaw." + Data(bytes).base64EncodedString().replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "+", with: "-")
        return state.withLock { state in
            state.tokenRequests += 1
            state.tokensBySubject[subject, default: 0] += 1
            state.tokens[token] = Token(subject: subject, expiresAt: .now + configuration.tokenLifetime)
            return (token, state.nextEventId)
        }
    }

    /// Counts an event stream opened by a subject.
    func countStream(subject: String) { state.withLock { $0.streamsBySubject[subject, default: 0] += 1 } }

    /// What the deployment served: token requests (refused ones too), and per end-user subject the
    /// access tokens issued and the event streams opened (for `/__sandbox/messaging/stats`).
    public var stats: MessagingStats {
        state.withLock { MessagingStats(tokenRequests: $0.tokenRequests, tokens: $0.tokensBySubject, streams: $0.streamsBySubject) }
    }

    /// Counts a refused token request and remembers why (for the control API).
    func refused(_ reason: String) {
        state.withLock { state in
            state.tokenRequests += 1
            state.refusals.append(reason)
        }
    }

    /// The subject of a valid token (nil: unknown, expired or revoked).
    func subject(forToken token: String) -> String? {
        state.withLock { state in
            guard let issued = state.tokens[token], !issued.revoked, issued.expiresAt > .now else { return nil }
            return issued.subject
        }
    }

    /// Revokes a token (logout).
    func revoke(_ token: String) { state.withLock { $0.tokens[token]?.revoked = true } }

    /// Expires every access token now (fault injection).
    public func expireAllTokens() {
        state.withLock { state in
            for key in state.tokens.keys { state.tokens[key]?.expiresAt = .now - .seconds(1) }
        }
    }

    /// The end-user subject for a JWT `sub`.
    func endUserSubject(_ sub: String) -> String { "v2/iamessage/AUTH/\(configuration.verificationConfigName)/uid:\(sub)" }

    // MARK: Conversations

    enum Refusal: Error, Equatable {
        case badRequest(String)
        case notFound(String)
        case noSession
    }

    /// Creates a conversation for a subject (an existing one of the same subject is kept).
    func createConversation(id: String, subject: String, routingAttributes: [String: String]) throws(Refusal) {
        try state.withLock { (state: inout State) throws(Refusal) in
            if let existing = state.conversations[id] {
                guard existing.subject == subject else { throw .badRequest("A conversation with this conversationId already exists.") }
                return
            }
            state.conversations[id] = Conversation(id: id, subject: subject, routingAttributes: routingAttributes)
            if let script = configuration.script {
                state.scheduled.append(Scheduled(due: .now + script.routingDelay, conversationId: id, session: 1, step: .route))
            }
        }
    }

    /// A conversation of a subject.
    func conversation(_ id: String, subject: String?) throws(Refusal) -> Conversation {
        guard let conversation = state.withLock({ $0.conversations[id] }), subject == nil || conversation.subject == subject else {
            throw .notFound("The conversation \(id) doesn't exist.")
        }
        return conversation
    }

    /// Posts the end user's message: 417 without an open session unless it opens a new one.
    func postMessage(conversationId: String, subject: String, messageId: String, text: String, newSession: Bool,
                     routingAttributes: [String: String]?) throws(Refusal) {
        let now = Self.milliseconds()
        try mutate(conversationId, subject: subject) { (conversation, state) throws(Refusal) in
            guard !conversation.closed else { throw .badRequest("The conversation is closed; start a new conversation.") }
            if !conversation.sessionOpen {
                guard newSession else { throw .noSession }
                conversation.sessionOpen = true
                conversation.session += 1
                conversation.awaitingEmployee = false
                conversation.routingStatus = "NEEDS_ROUTING"
                if let attributes = routingAttributes { conversation.routingAttributes.merge(attributes) { $1 } }
                if let script = configuration.script {
                    state.scheduled.append(Scheduled(due: .now + script.routingDelay, conversationId: conversation.id, session: conversation.session, step: .route))
                }
            }
            // A message id already posted is acknowledged again, not duplicated.
            guard !conversation.endUserMessages.contains(where: { $0.id == messageId }) else { return }
            conversation.endUserMessages.append(EndUserMessage(id: messageId, text: text, session: conversation.session))
            let payload = Self.messagePayload(id: messageId, text: text)
            Self.append(Entry(identifier: messageId, entryType: "Message", role: "EndUser", displayName: "Guest", payload: payload, timestamp: now),
                        to: &conversation, state: &state)
            if conversation.awaitingEmployee, let script = configuration.script {
                conversation.awaitingEmployee = false
                state.scheduled.append(Scheduled(due: .now + script.endDelay, conversationId: conversation.id, session: conversation.session, step: .closingTyping))
            }
        }
    }

    /// A typing indicator from the end user (recorded; not echoed).
    func endUserTyping(conversationId: String, subject: String) throws(Refusal) {
        _ = try conversation(conversationId, subject: subject)
    }

    /// Closes a conversation (the end user's side): `CONVERSATION_CLOSE_CONVERSATION`.
    func close(conversationId: String, subject: String) throws(Refusal) {
        try mutate(conversationId, subject: subject) { (conversation, state) throws(Refusal) in
            guard !conversation.closed else { return }
            conversation.closed = true
            conversation.sessionOpen = false
            let identifier = UUID().uuidString.lowercased()
            let entry = Entry(identifier: identifier, entryType: "ConversationClosed", role: "EndUser", displayName: "Guest",
                              payload: "{\"entryType\":\"ConversationClosed\",\"id\":\"\(identifier)\"}", timestamp: Self.milliseconds())
            Self.emit(entry, event: "CONVERSATION_CLOSE_CONVERSATION", conversation: conversation, state: &state)
        }
    }

    func mutate(_ id: String, subject: String?, _ body: (inout Conversation, inout State) throws(Refusal) -> Void) throws(Refusal) {
        try state.withLock { (state: inout State) throws(Refusal) in
            guard var conversation = state.conversations[id], subject == nil || conversation.subject == subject else {
                throw .notFound("The conversation \(id) doesn't exist.")
            }
            try body(&conversation, &state)
            state.conversations[id] = conversation
        }
    }

    // MARK: Events

    static func append(_ entry: Entry, to conversation: inout Conversation, state: inout State) {
        conversation.entries.append(entry)
        emit(entry, event: eventName(entry.entryType), conversation: conversation, state: &state)
    }

    static func emit(_ entry: Entry, event: String, conversation: Conversation, state: inout State) {
        state.nextEventId += 1
        let id = state.nextEventId
        state.events[conversation.subject, default: []].append(StreamEvent(id: id, name: event, data: eventData(entry, conversation: conversation)))
        let ready = state.waiters.removeValue(forKey: conversation.subject) ?? [:]
        for waiter in ready.values { waiter.continuation.resume() }
    }

    static func eventName(_ entryType: String) -> String {
        switch entryType {
        case "Message": "CONVERSATION_MESSAGE"
        case "ParticipantChanged": "CONVERSATION_PARTICIPANT_CHANGED"
        case "RoutingResult": "CONVERSATION_ROUTING_RESULT"
        case "TypingStartedIndicator": "CONVERSATION_TYPING_STARTED_INDICATOR"
        case "TypingStoppedIndicator": "CONVERSATION_TYPING_STOPPED_INDICATOR"
        case "SessionStatusChanged": "CONVERSATION_SESSION_STATUS_CHANGED"
        default: "CONVERSATION_" + entryType.uppercased()
        }
    }

    /// The SSE `data:` of an entry: the payload as a JSON **string**, as Salesforce sends it.
    static func eventData(_ entry: Entry, conversation: Conversation) -> String {
        "{\"channelPlatformKey\":\"sandbox-platform-key\",\"channelType\":\"embedded_messaging\",\"channelAddressIdentifier\":\"sandbox-channel\","
            + "\"conversationId\":\"\(conversation.id)\",\"conversationEntry\":" + entryJSON(entry, conversation: conversation, payloadAsString: true) + "}"
    }

    /// An entry as JSON; `/entries` sends the payload as an object, the stream as a string.
    static func entryJSON(_ entry: Entry, conversation: Conversation, payloadAsString: Bool) -> String {
        let subject = entry.role == "EndUser" ? conversation.subject : "005SBX000000002AAA"
        let appType = entry.role == "EndUser" ? "iamessage" : entry.role == "Agent" ? "agent" : "conversation"
        return "{\"identifier\":\"\(entry.identifier)\",\"entryType\":\"\(entry.entryType)\",\"entryPayload\":"
            + (payloadAsString ? JSONText.string(entry.payload) : entry.payload)
            + ",\"sender\":{\"role\":\"\(entry.role)\",\"appType\":\"\(appType)\",\"subject\":\(JSONText.string(subject)),\"clientIdentifier\":\"\"},"
            + "\"senderDisplayName\":\(JSONText.string(entry.displayName)),\"transcriptedTimestamp\":\(entry.timestamp),"
            + "\"clientTimestamp\":\(entry.timestamp),\"relatedRecords\":[]}"
    }

    static func messagePayload(id: String, text: String) -> String {
        "{\"entryType\":\"Message\",\"id\":\"\(id)\",\"abstractMessage\":{\"messageType\":\"StaticContentMessage\",\"id\":\"\(id)\","
            + "\"inReplyToMessageId\":null,\"references\":null,\"staticContent\":{\"formatType\":\"Text\",\"text\":\(JSONText.string(text))}},\"messageReason\":null}"
    }

    /// A subject's events after an id.
    func events(subject: String, after id: Int) -> [StreamEvent] {
        state.withLock { state in
            guard let events = state.events[subject] else { return [] }
            // Ids grow, so the tail after `id` is found by binary search.
            var low = 0, high = events.count
            while low < high {
                let mid = (low + high) / 2
                if events[mid].id <= id { low = mid + 1 } else { high = mid }
            }
            return Array(events[low...])
        }
    }

    /// The newest event id of the org.
    public var latestEventId: Int { state.withLock { $0.nextEventId } }

    /// Waits for an event of `subject` beyond `id`; throws `CancellationError` when cancelled.
    func waitForEvent(subject: String, after id: Int) async throws {
        let key = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case ready, cancelled, waiting }
                let outcome = state.withLock { state -> Outcome in
                    if let last = state.events[subject]?.last, last.id > id { return .ready }
                    if Task.isCancelled { return .cancelled }
                    state.waiters[subject, default: [:]][key] = (id, continuation)
                    return .waiting
                }
                switch outcome {
                case .ready: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .waiting: break
                }
            }
        } onCancel: {
            let continuation = state.withLock { $0.waiters[subject]?.removeValue(forKey: key)?.continuation }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Now in milliseconds, strictly after the last time handed out: a conversation's entries are
    /// ordered by time, and two never share a millisecond (so the history pages by time).
    static func milliseconds() -> Int64 {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        return lastMillisecond.withLock { last in
            last = max(now, last + 1)
            return last
        }
    }

    private static let lastMillisecond = Mutex<Int64>(0)
}

/// A message the end user posted, as the sandbox received it.
public struct EndUserMessage: Sendable, Hashable, Codable {
    /// The client's message id.
    public let id: String
    /// The text.
    public let text: String
    /// The messaging session it arrived in (1, then 2 after a reopened session…).
    public let session: Int
}
