import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Enhanced Messaging's custom-client REST API (salesforce-messaging-api.md §2–4) under
/// `/iamessage/api/v2`: the authenticated access token (verifying the user-verification JWT),
/// revoke, conversations, messages (417 without an open session), typing entries, entries
/// history and close. Errors are JSON `{"message": …}`.
struct MessagingRoutes {
    let messaging: MessagingOrg

    func add(to router: Router<BasicRequestContext>) {
        let api = router.group("/iamessage/api/v2")
        api.post("authorization/authenticated/access-token") { request, _ in try await self.accessToken(request) }
        api.delete("authorization/authenticated/access-token") { request, _ in
            try self.authorized(request) { token, _ in
                messaging.revoke(token)
                return Response(status: .noContent)
            }
        }
        api.post("conversation") { request, _ in
            let body = try await Self.json(request)
            return try self.authorized(request) { _, subject in
                guard let id = body["conversationId"] as? String, Self.isLowercaseUUID(id) else {
                    return Self.error(.badRequest, "Specify the conversationId in UUID format. The UUID must be in lowercase.")
                }
                guard body["esDeveloperName"] as? String == messaging.configuration.esDeveloperName else {
                    return Self.error(.badRequest, "The esDeveloperName doesn't match an active Embedded Service deployment.")
                }
                let attributes = (body["routingAttributes"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
                return Self.refusing { () throws(MessagingOrg.Refusal) in
                    try messaging.createConversation(id: id, subject: subject, routingAttributes: attributes)
                    return Self.json(.created, "{\"conversationId\":\"\(id)\"}")
                }
            }
        }
        api.get("conversation/:id") { request, context in
            let id = try context.parameters.require("id")
            return try self.authorized(request) { _, subject in
                Self.refusing { () throws(MessagingOrg.Refusal) in
                    let conversation = try messaging.conversation(id, subject: subject)
                    return Self.json(.ok, "{\"conversationId\":\"\(id)\",\"routingStatus\":\"\(conversation.routingStatus)\"}")
                }
            }
        }
        api.get("conversation/:id/entries") { request, context in
            let id = try context.parameters.require("id")
            let query = FormEncoding.query(of: request)
            let limit = min(max(Int(query["limit"] ?? "20") ?? 20, 1), 50)
            let fromEnd = (query["direction"] ?? "FromEnd") == "FromEnd"
            let types = query["entryTypeFilter"].map { Set($0.split(separator: ",").map(String.init)) }
            let start = query["startTimestamp"].flatMap(Int64.init)
            let end = query["endTimestamp"].flatMap(Int64.init)
            return try self.authorized(request) { _, subject in
                Self.refusing { () throws(MessagingOrg.Refusal) in
                    let conversation = try messaging.conversation(id, subject: subject)
                    var entries = conversation.entries.filter { entry in
                        (types?.contains(entry.entryType) ?? true) && (start.map { entry.timestamp >= $0 } ?? true)
                            && (end.map { entry.timestamp <= $0 } ?? true)
                    }
                    entries = fromEnd ? Array(entries.suffix(limit).reversed()) : Array(entries.prefix(limit))
                    let json = entries.map { MessagingOrg.entryJSON($0, conversation: conversation, payloadAsString: false) }
                    return Self.json(.ok, "{\"conversationEntries\":[" + json.joined(separator: ",") + "]}")
                }
            }
        }
        api.delete("conversation/:id") { request, context in
            let id = try context.parameters.require("id")
            return try self.authorized(request) { _, subject in
                Self.refusing { () throws(MessagingOrg.Refusal) in
                    try messaging.close(conversationId: id, subject: subject)
                    return Response(status: .noContent)
                }
            }
        }
        api.post("conversation/:id/message") { request, context in
            let id = try context.parameters.require("id")
            let body = try await Self.json(request)
            return try self.authorized(request) { _, subject in
                guard let message = body["message"] as? [String: Any], let messageId = message["id"] as? String, Self.isLowercaseUUID(messageId) else {
                    return Self.error(.badRequest, "Specify message.id in UUID format. The UUID must be in lowercase.")
                }
                guard let text = (message["staticContent"] as? [String: Any])?["text"] as? String, !text.isEmpty else {
                    return Self.error(.badRequest, "A StaticContentMessage needs staticContent.text.")
                }
                let newSession = body["isNewMessagingSession"] as? Bool ?? false
                let attributes = (body["routingAttributes"] as? [String: Any])?.compactMapValues { $0 as? String }
                return Self.refusing { () throws(MessagingOrg.Refusal) in
                    try messaging.postMessage(conversationId: id, subject: subject, messageId: messageId, text: text, newSession: newSession,
                                              routingAttributes: attributes)
                    return Self.json(.accepted, "{\"conversationEntries\":[{\"id\":\"\(messageId)\",\"clientTimestamp\":\(MessagingOrg.milliseconds())}]}")
                }
            }
        }
        api.post("conversation/:id/entry") { request, context in
            let id = try context.parameters.require("id")
            let body = try await Self.json(request)
            return try self.authorized(request) { _, subject in
                guard let type = body["entryType"] as? String, ["TypingStartedIndicator", "TypingStoppedIndicator"].contains(type) else {
                    return Self.error(.badRequest, "entryType must be TypingStartedIndicator or TypingStoppedIndicator.")
                }
                return Self.refusing { () throws(MessagingOrg.Refusal) in
                    try messaging.endUserTyping(conversationId: id, subject: subject)
                    return Response(status: .accepted)
                }
            }
        }
    }

    private func accessToken(_ request: Request) async throws -> Response {
        let body = try await Self.json(request)
        let configuration = messaging.currentConfiguration
        guard let orgId = body["orgId"] as? String, orgId.prefix(15) == messaging.organizationID else {
            return Self.error(.badRequest, "The orgId doesn't match this org.")
        }
        guard body["esDeveloperName"] as? String == configuration.esDeveloperName else {
            return Self.error(.badRequest, "The esDeveloperName doesn't match an active Embedded Service deployment.")
        }
        // Every field of the documented request (salesforce-messaging-api.md §2.1–2.2).
        for field in ["capabilitiesVersion", "platform"] where (body[field] as? String)?.isEmpty ?? true {
            return Self.error(.badRequest, "The \(field) field is required.")
        }
        guard body["authorizationType"] as? String == "JWT", let jwt = body["customerIdentityToken"] as? String else {
            return Self.error(.badRequest, "authorizationType JWT with a customerIdentityToken is required for verified users.")
        }
        let subject: String
        do {
            subject = messaging.endUserSubject(try await VerificationTokenChecker(configuration: configuration).verify(jwt))
        } catch {
            messaging.refused(error.message)
            guard configuration.guestTokenOnRefusal else { return Self.error(.unauthorized, error.message) }
            subject = "v2/iamessage/UNAUTH/NA/uid:" + UUID().uuidString.lowercased()
        }
        let (token, lastEventId) = messaging.issueToken(subject: subject)
        let json = "{\"accessToken\":\(JSONText.string(token)),\"lastEventId\":\"\(lastEventId)\",\"context\":{\"deviceId\":"
            + JSONText.string((body["deviceId"] as? String) ?? UUID().uuidString.lowercased())
            + ",\"endUser\":{\"subject\":\(JSONText.string(subject))},\"configuration\":{\"embeddedServiceConfig\":{\"name\":"
            + JSONText.string(configuration.esDeveloperName) + ",\"deploymentType\":\"api\",\"embeddedServiceMessagingChannel\":"
            + "{\"channelAddressIdentifier\":\"sandbox-channel\",\"authMode\":\"" + (subject.contains("/AUTH/") ? "Auth" : "UnAuth") + "\"},\"forms\":[" + Self.preChatForm(configuration.preChatFields) + "],\"choiceListConfig\":{\"choiceList\":[]}}}}}"
        return Self.json(.ok, json)
    }

    /// The pre-chat form of the token answer: the hidden fields that carry routing attributes.
    static func preChatForm(_ fields: [String]) -> String {
        guard !fields.isEmpty else { return "" }
        let items = fields.enumerated().map { index, name in
            "{\"name\":\(JSONText.string(name)),\"order\":\(index + 1),\"type\":\"Text\",\"required\":false,\"isHidden\":true}"
        }
        return "{\"displayContext\":\"Conversation\",\"formFields\":[" + items.joined(separator: ",") + "]}"
    }

    /// Runs `body` with the bearer token and its subject, or answers 401.
    private func authorized(_ request: Request, _ body: (String, String) throws -> Response) throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            return Self.error(.unauthorized, "The Authorization header with a Bearer access token is required.")
        }
        let token = String(header.dropFirst(7))
        guard let subject = messaging.subject(forToken: token) else {
            return Self.error(.unauthorized, "The access token is invalid or expired.")
        }
        return try body(token, subject)
    }

    static func refusing(_ body: () throws(MessagingOrg.Refusal) -> Response) -> Response {
        do {
            return try body()
        } catch {
            switch error {
            case .badRequest(let message): return Self.error(.badRequest, message)
            case .notFound(let message): return Self.error(.notFound, message)
            case .noSession:
                return Self.error(.expectationFailed, "The conversation has no active messaging session. Send the message with isNewMessagingSession set to true.")
            }
        }
    }

    static func isLowercaseUUID(_ text: String) -> Bool {
        guard let uuid = UUID(uuidString: text) else { return false }
        return uuid.uuidString.lowercased() == text
    }

    static func json(_ request: Request) async throws -> [String: Any] {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        return (try? JSONSerialization.jsonObject(with: Data(buffer: buffer))) as? [String: Any] ?? [:]
    }

    static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(status, "{\"message\":\(JSONText.string(message))}")
    }
}
