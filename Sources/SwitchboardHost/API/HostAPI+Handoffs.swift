import ConnectorKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension HostAPI {
    struct NewHandoffBody: Decodable {
        var employeeId: String
        var email: String?
        var firstName: String?
        var lastName: String?
        var topic: String?
        var summary: String?
        var attributes: [String: String]?
        var connector: String?
    }

    struct MessageBody: Decodable { var text: String }
    struct TypingBody: Decodable { var typing: Bool }

    /// A handoff as the API shows it.
    struct HandoffView: Encodable {
        var id: String
        var connector: String
        var conversationId: String
        var employeeId: String
        var status: String
        var topic: String?
        var endReason: String?
        var createdAt: Date?
        var updatedAt: Date?
        /// Live Assist: the token for the web client's `authoriseChatWithCallback`, and its expiry.
        var clientToken: String?
        var clientTokenExpiresAt: Date?
        /// Where the handoff's own events stream (none for Live Assist, whose chat runs in its web client).
        var events: String?
    }

    /// Live-agent handoffs (DESIGN.md §5) and the JWKS of the signing keys.
    func addHandoffRoutes(_ router: Router<BasicRequestContext>) {
        router.get("/.well-known/jwks.json") { _, _ in await JWKSListener.response(board: self.board, logger: self.logger) }
        let handoffs = router.group("/v1/handoffs")
        handoffs.post { request, _ in
            let body = try await self.decode(NewHandoffBody.self, request)
            let wanted = body.connector ?? request.uri.queryParameters.get("connector").map { String($0) }
            let (name, connector) = try self.running(providing: .liveAgent, named: wanted, hint: "\"connector\"")
            let handoffRequest = HandoffRequest(
                employeeId: body.employeeId, email: body.email, firstName: body.firstName, lastName: body.lastName, topic: body.topic,
                summary: body.summary, attributes: body.attributes ?? [:])
            if let liveAgent = connector.liveAgent {
                let handoff = try await self.mapping { try await liveAgent.startHandoff(handoffRequest) }
                let stored = try await self.store.handoff(id: handoff.id)
                return try jsonResponse(HandoffView(
                    id: handoff.id, connector: name, conversationId: handoff.conversationId, employeeId: handoff.employeeId,
                    status: stored?.status.rawValue ?? handoff.status.rawValue, topic: body.topic, endReason: stored?.endReason,
                    createdAt: stored?.createdAt, updatedAt: stored?.updatedAt, events: "/v1/handoffs/\(handoff.id)/events"),
                    status: .created)
            }
            guard let issuer = connector.chatTokens else { throw APIError.notFound("connector \(name) does not run live-agent") }
            // The chat runs in the service's own client: the handoff is its token, stored like any other.
            let token = try await self.mapping { try await issuer.issueChatToken(for: handoffRequest) }
            let now = Date()
            let record = HandoffRecord(
                id: "ho_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""), connector: name, conversationId: token.conversationId,
                employeeId: body.employeeId, status: .pending, request: handoffRequest, createdAt: now, updatedAt: now)
            try await self.store.saveHandoff(record)
            var view = Self.view(record, relayed: false)
            view.clientToken = try token.token.revealedString()
            view.clientTokenExpiresAt = token.expiresAt
            return try jsonResponse(view, status: .created)
        }
        handoffs.get(":id") { _, context in
            let record = try await self.record(context)
            return try jsonResponse(Self.view(record, relayed: self.relays(record)))
        }
        handoffs.post(":id/messages") { request, context in
            let record = try await self.record(context)
            let body = try await self.decode(MessageBody.self, request)
            let liveAgent = try self.relay(of: record)
            try await self.mapping { try await liveAgent.sendMessage(handoffId: record.id, text: body.text) }
            return try jsonResponse(["accepted": true], status: .accepted)
        }
        handoffs.post(":id/typing") { request, context in
            let record = try await self.record(context)
            let body = try await self.decode(TypingBody.self, request)
            let liveAgent = try self.relay(of: record)
            try await self.mapping { try await liveAgent.setTyping(handoffId: record.id, isTyping: body.typing) }
            return Response(status: .noContent)
        }
        handoffs.delete(":id") { _, context in
            let record = try await self.record(context)
            guard self.relays(record) else {
                // A chat-token handoff: its token simply expires; the handoff is marked ended.
                var ended = record
                if ended.status != .ended {
                    ended.status = .ended
                    ended.endReason = "closed"
                    ended.updatedAt = Date()
                    try await self.store.saveHandoff(ended)
                }
                return try jsonResponse(Self.view(ended, relayed: false))
            }
            let liveAgent = try self.relay(of: record)
            try await self.mapping { try await liveAgent.endHandoff(handoffId: record.id) }
            return try jsonResponse(Self.view(try await self.store.handoff(id: record.id) ?? record, relayed: true))
        }
        handoffs.get(":id/events") { request, context in
            let record = try await self.record(context)
            let start = try await self.resumePoint(request, defaultToLatest: false)
            let store = self.store
            return try self.eventStream(after: start, subject: record.id) {
                (try? await store.handoff(id: record.id))?.status == .ended
            }
        }
        router.post("/v1/employees/:id/logout") { _, context in
            let employee = try context.parameters.require("id")
            for status in self.board.snapshot where status.features.contains(.liveAgent) {
                guard let liveAgent = self.board.connector(status.name)?.liveAgent else { continue }
                try await self.mapping { try await liveAgent.logout(employeeId: employee) }
            }
            return Response(status: .noContent)
        }
    }

    static func view(_ record: HandoffRecord, relayed: Bool) -> HandoffView {
        HandoffView(id: record.id, connector: record.connector, conversationId: record.conversationId, employeeId: record.employeeId,
                    status: record.status.rawValue, topic: record.request.topic, endReason: record.endReason, createdAt: record.createdAt,
                    updatedAt: record.updatedAt, events: relayed ? "/v1/handoffs/\(record.id)/events" : nil)
    }

    /// Whether the handoff's connector relays the conversation (it has events), rather than issuing
    /// a chat token. A connector not running now is taken to relay (its events stay readable).
    func relays(_ record: HandoffRecord) -> Bool {
        guard let connector = board.connector(record.connector) else { return true }
        return connector.chatTokens == nil || connector.liveAgent != nil
    }

    private func record(_ context: BasicRequestContext) async throws -> HandoffRecord {
        let id = try context.parameters.require("id")
        guard let record = try await store.handoff(id: id) else { throw APIError.notFound("no handoff \(id)") }
        return record
    }

    /// The live-agent interface of a handoff's connector; a conflict for a chat-token handoff, whose
    /// conversation runs in the external service's own chat client.
    func relay(of record: HandoffRecord) throws -> any LiveAgent {
        let (name, connector) = try running(providing: .liveAgent, named: record.connector, hint: "\"connector\"")
        guard let liveAgent = connector.liveAgent else {
            throw APIError(status: .conflict, code: .chatInClient,
                           message: "handoff \(record.id) runs in \(name)'s own chat client; the host only issued its token")
        }
        return liveAgent
    }
}
