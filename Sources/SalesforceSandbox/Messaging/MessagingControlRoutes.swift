import Foundation
import Hummingbird
import NIOCore

/// The control API of the sandbox's Enhanced Messaging deployment (never part of Salesforce):
/// - `POST /__sandbox/messaging/keyset` — `{"uploadedKeys": [JWK…], "jwksURL": …, "issuer": …}`;
/// - `GET /__sandbox/messaging/conversations[/{id}]` — what the agent sees (messages received…);
/// - `POST /__sandbox/messaging/conversations/{id}/agent` — make the agent act:
///   `{"action": "route" | "fail" | "join" | "message" | "typing" | "stop-typing" | "leave" | "end" | "end-by-user" | "timeout", "text": …}`;
/// - `GET /__sandbox/messaging/refusals` — why verification JWTs were refused;
/// - `GET /__sandbox/messaging/jwks` — the uploaded keys as a JWKS (a stand-in endpoint for endpoint-mode tests);
/// - `GET /__sandbox/messaging/stats` — token requests, and access tokens and event streams per end-user subject.
struct MessagingControlRoutes {
    let messaging: MessagingOrg

    func add(to router: Router<BasicRequestContext>) {
        let control = router.group("/__sandbox/messaging")
        control.post("keyset") { request, _ in
            let body = try await MessagingRoutes.json(request)
            let keys = (body["uploadedKeys"] as? [Any] ?? []).compactMap { key -> String? in
                guard JSONSerialization.isValidJSONObject(key), let data = try? JSONSerialization.data(withJSONObject: key) else { return nil }
                return String(decoding: data, as: UTF8.self)
            }
            guard let issuer = body["issuer"] as? String else {
                return MessagingRoutes.error(.badRequest, "expected {\"issuer\": …, \"uploadedKeys\": [JWK…]} or {\"issuer\": …, \"jwksURL\": …}")
            }
            do {
                try messaging.setKeyset(uploadedKeys: keys, jwksURL: body["jwksURL"] as? String, issuer: issuer)
            } catch {
                return MessagingRoutes.error(.badRequest, "\(error)")
            }
            return Response(status: .noContent)
        }
        control.get("conversations") { _, _ in try ControlRoutes.encode(["conversations": messaging.conversationIds]) }
        control.get("conversations/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let view = messaging.view(conversationId: id) else { return MessagingRoutes.error(.notFound, "no conversation \(id)") }
            return try ControlRoutes.encode(view)
        }
        control.post("conversations/:id/agent") { request, context in
            let id = try context.parameters.require("id")
            let body = try await MessagingRoutes.json(request)
            guard messaging.view(conversationId: id) != nil else { return MessagingRoutes.error(.notFound, "no conversation \(id)") }
            let name = body["name"] as? String ?? "Dana Whitfield"
            switch body["action"] as? String {
            case "route": messaging.routingResult(conversationId: id, estimatedWaitSeconds: body["estimatedWaitSeconds"] as? Int ?? 45)
            case "fail": messaging.routingResult(conversationId: id, failure: body["text"] as? String ?? "No agent is available.")
            case "join": messaging.agentParticipant(conversationId: id, name: name, joins: true)
            case "leave": messaging.agentParticipant(conversationId: id, name: name, joins: false)
            case "message":
                guard let text = body["text"] as? String else { return MessagingRoutes.error(.badRequest, "a message needs text") }
                let entry = messaging.agentMessage(conversationId: id, text: text, name: name)
                return MessagingRoutes.json(.created, "{\"identifier\":\"\(entry)\"}")
            case "typing": messaging.agentTyping(conversationId: id, started: true, name: name)
            case "stop-typing": messaging.agentTyping(conversationId: id, started: false, name: name)
            case "end": messaging.agentEndsSession(conversationId: id, name: name)
            case "end-by-user": messaging.endSession(conversationId: id, by: .endUser)
            case "timeout": messaging.endSession(conversationId: id, by: .inactivity)
            default:
                return MessagingRoutes.error(.badRequest, "action must be route, fail, join, message, typing, stop-typing, leave, end, end-by-user or timeout")
            }
            return Response(status: .noContent)
        }
        control.get("jwks") { _, _ in
            MessagingRoutes.json(.ok, "{\"keys\":[" + messaging.currentConfiguration.uploadedKeys.joined(separator: ",") + "]}")
        }
        control.get("refusals") { _, _ in try ControlRoutes.encode(["refusals": messaging.refusals]) }
        control.get("stats") { _, _ in try ControlRoutes.encode(messaging.stats) }
    }
}
