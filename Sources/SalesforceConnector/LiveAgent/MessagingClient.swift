import ConnectorKit
import Foundation

/// Enhanced Messaging's custom-client REST API (salesforce-messaging-api.md §2–4) over the host's
/// transport: the authenticated access token (from a user-verification JWT signed with the host's
/// signer), conversations, messages, typing entries, entries history, close and revoke.
struct MessagingClient: Sendable {
    let settings: LiveAgentSettings
    let http: HTTPTransport
    let signer: JWTSigner
    let connector: String

    var apiBase: String { settings.scrtURL + "/iamessage/api/v2" }

    /// An access token for an employee, from a freshly minted user-verification JWT.
    func accessToken(employeeId: String) async throws -> MessagingAccess {
        let key = try signer.signingKey(settings.privateKey)
        let claims = JWTClaims.messagingUserToken(subject: employeeId, issuer: settings.issuer, now: signer.clock.now(), lifetime: settings.tokenLifetime)
        let jwt = try signer.sign(claims, with: key, keyID: settings.keyID)
        let body = JSONValue.object([
            JSONMember("orgId", .string(settings.orgId15)), JSONMember("esDeveloperName", .string(settings.esDeveloperName)),
            JSONMember("capabilitiesVersion", .string("1")), JSONMember("platform", .string("Web")),
            JSONMember("deviceId", .string(UUID().uuidString.lowercased())),
            JSONMember("context", .object([JSONMember("appName", .string("switchboard")), JSONMember("clientVersion", .string("1.0.0"))])),
            JSONMember("authorizationType", .string("JWT")), JSONMember("customerIdentityToken", .string(jwt)),
        ])
        let response = try await http.send(.init(method: "POST", url: apiBase + "/authorization/authenticated/access-token",
                                                  headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                                                  body: body.serialized(), safeToRepeat: true, connector: connector))
        let json = try? JSONParser.parse(response.body)
        guard response.status == 200 else {
            throw MessagingRefusal.verification(message: json?["message"]?.stringValue ?? "HTTP \(response.status)", status: response.status, settings: settings)
        }
        guard let token = json?["accessToken"]?.stringValue else {
            throw ConnectorError.upstream("the Enhanced Messaging token answer has no accessToken", httpStatus: response.status)
        }
        // A token for a guest (UNAUTH) subject means the JWT was not verified (reported to happen with HTTP 200).
        if let subject = json?["context"]?["endUser"]?["subject"]?.stringValue, !subject.contains("/AUTH/") {
            throw MessagingRefusal.verification(message: "the token is for a guest (\(subject)), so the user-verification JWT was not accepted",
                                                status: 200, settings: settings)
        }
        var fields: [String] = []
        if case .array(let forms)? = json?["context"]?["configuration"]?["embeddedServiceConfig"]?["forms"] {
            for form in forms {
                guard case .array(let items)? = form["formFields"] else { continue }
                fields += items.compactMap { $0["name"]?.stringValue }
            }
        }
        return MessagingAccess(accessToken: token, lastEventId: json?["lastEventId"]?.stringValue ?? json?["lastEventId"]?.integerValue.map(String.init),
                               preChatFields: fields)
    }

    /// Creates the conversation (idempotent on its id).
    func createConversation(id: String, routingAttributes: [String: String], auth: some AccessTokenSource) async throws {
        let body = JSONValue.object([
            JSONMember("conversationId", .string(id)), JSONMember("esDeveloperName", .string(settings.esDeveloperName)),
            JSONMember("routingAttributes", Self.attributes(routingAttributes)),
        ])
        _ = try await send("POST", "/conversation", body: body, auth: auth, safeToRepeat: true)
    }

    /// Posts a text message; a 417 (no open session) surfaces as ``MessagingRefusal/noSession``.
    func sendMessage(conversationId: String, messageId: String, text: String, newSession: [String: String]?, auth: some AccessTokenSource) async throws {
        var members = [
            JSONMember("message", .object([
                JSONMember("id", .string(messageId)), JSONMember("messageType", .string("StaticContentMessage")),
                JSONMember("staticContent", .object([JSONMember("formatType", .string("Text")), JSONMember("text", .string(text))])),
            ])),
            JSONMember("esDeveloperName", .string(settings.esDeveloperName)),
        ]
        if let newSession {
            members.append(JSONMember("isNewMessagingSession", .bool(true)))
            members.append(JSONMember("routingAttributes", Self.attributes(newSession)))
        }
        // The message id is the client's, so a resend after a lost answer is the same message.
        _ = try await send("POST", "/conversation/\(conversationId)/message", body: .object(members), auth: auth, safeToRepeat: true)
    }

    /// A typing indicator.
    func typing(conversationId: String, started: Bool, auth: some AccessTokenSource) async throws {
        let body = JSONValue.object([
            JSONMember("entryType", .string(started ? "TypingStartedIndicator" : "TypingStoppedIndicator")),
            JSONMember("id", .string(UUID().uuidString.lowercased())),
        ])
        _ = try await send("POST", "/conversation/\(conversationId)/entry", body: body, auth: auth, safeToRepeat: true)
    }

    /// The most entries one history page holds.
    static let entriesPageSize = 50

    /// One page of the history, newest first: up to 50 entries at or before `endTimestamp` (ms; the
    /// newest when nil).
    func entries(conversationId: String, endTimestamp: Int64?, auth: some AccessTokenSource) async throws -> [JSONValue] {
        let response = try await send("GET", "/conversation/\(conversationId)/entries?limit=\(Self.entriesPageSize)&direction=FromEnd"
                                      + "&entryTypeFilter=Message,ParticipantChanged,RoutingResult,SessionStatusChanged"
                                      + (endTimestamp.map { "&endTimestamp=\($0)" } ?? ""), body: nil, auth: auth)
        guard case .array(let entries)? = (try? JSONParser.parse(response.body))?["conversationEntries"] else { return [] }
        return entries
    }

    /// Closes the conversation.
    func close(conversationId: String, auth: some AccessTokenSource) async throws {
        _ = try await send("DELETE", "/conversation/\(conversationId)?esDeveloperName=\(settings.esDeveloperName)", body: nil, auth: auth)
    }

    /// Revokes an access token (logout).
    func revoke(token: String) async throws {
        let response = try await http.send(.init(method: "DELETE", url: apiBase + "/authorization/authenticated/access-token",
                                                  headers: [("Authorization", "Bearer \(token)")], connector: connector))
        guard (200..<300).contains(response.status) || response.status == 401 else {
            throw ConnectorError.upstream("revoking the Enhanced Messaging token failed", httpStatus: response.status)
        }
    }

    private func send(_ method: String, _ path: String, body: JSONValue?, auth: some AccessTokenSource,
                      safeToRepeat: Bool? = nil) async throws -> HTTPTransport.Response {
        var headers = [("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let response = try await http.send(.init(method: method, url: apiBase + path, headers: headers, body: body?.serialized(),
                                                  safeToRepeat: safeToRepeat, authorization: auth, connector: connector))
        guard (200..<300).contains(response.status) else {
            let message = (try? JSONParser.parse(response.body))?["message"]?.stringValue ?? "HTTP \(response.status)"
            switch response.status {
            case 417: throw MessagingRefusal.noSession
            case 404: throw ConnectorError.notFound("Enhanced Messaging: \(message)")
            case 400: throw ConnectorError.upstream("Enhanced Messaging refused the request: \(message)", httpStatus: 400)
            case 429: throw ConnectorError.rateLimited("Enhanced Messaging: too many requests", retryAfterSeconds: nil)
            default: throw ConnectorError.upstream("Enhanced Messaging: \(message)", httpStatus: response.status)
            }
        }
        return response
    }

    static func attributes(_ values: [String: String]) -> JSONValue {
        .object(values.keys.sorted().map { JSONMember($0, .string(values[$0]!)) })
    }
}

/// An Enhanced Messaging access token and the event id its stream starts after.
struct MessagingAccess: Sendable, Equatable {
    var accessToken: String
    var lastEventId: String?
    /// The deployment's pre-chat fields (the token answer's forms): where routing attributes go.
    var preChatFields: [String] = []

    /// The same token is the same access.
    static func == (lhs: Self, rhs: Self) -> Bool { lhs.accessToken == rhs.accessToken }
}

/// Enhanced Messaging refusals that need their own handling.
enum MessagingRefusal {
    /// HTTP 417: the conversation has no open messaging session.
    struct NoSession: Error {}
    static let noSession = NoSession()

    /// The user-verification JWT was refused: an admin-readable error naming which check failed.
    static func verification(message: String, status: Int, settings: LiveAgentSettings) -> ConnectorError {
        let text = message.lowercased()
        let advice: String
        if text.contains("jwks") || text.contains("key not in") {
            advice = "key not in JWKS: the keyset's endpoint URL does not publish kid '\(settings.keyID)'; add it to this host's /.well-known/jwks.json (live-agent.key_id / next_keys) or fix the keyset URL"
        } else if text.contains("kid") {
            advice = "wrong kid: live-agent.key_id '\(settings.keyID)' names no key of the user verification keyset; upload the key's JWK under that kid or fix key_id"
        } else if text.contains("issuer") || text.contains("iss ") {
            advice = "wrong issuer: live-agent.issuer '\(settings.issuer)' must equal the keyset's JSON Web Key Issuer exactly"
        } else if text.contains("expired") {
            advice = "expired: the verification JWT was already expired when Salesforce checked it; check this host's clock and live-agent.token_lifetime"
        } else if text.contains("signature") {
            advice = "bad signature: live-agent.private_key is not the key whose public part is in the keyset under kid '\(settings.keyID)'"
        } else if text.contains("guest") {
            advice = "not verified: Salesforce issued a guest token; turn on User Verification for the channel and link the keyset"
        } else {
            advice = "check live-agent.key_id, issuer and private_key against the channel's user verification keyset"
        }
        return ConnectorError.unauthorized("Salesforce refused the user-verification JWT — \(advice). Salesforce said: \(message)",
                                           httpStatus: status, upstreamCode: "USER_VERIFICATION_FAILED")
    }
}
