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
        router.get("/.well-known/jwks.json") { _, _ in
            var keys: [JSONValue] = []
            for status in self.board.snapshot {
                guard let connector = self.board.connector(status.name) else { continue }
                do {
                    keys += try await connector.publishedKeys().map(\.json)
                } catch {
                    self.logger.warning("cannot publish a connector's keys", metadata: ["connector": .string(status.name), "error": "\(error)"])
                }
            }
            let body = JSONValue.object([JSONMember("keys", .array(keys))]).description
            return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let handoffs = router.group("/v1/handoffs")
        handoffs.post { request, _ in
            let body = try await self.decode(NewHandoffBody.self, request)
            let (name, liveAgent) = try self.liveAgent(named: body.connector ?? request.uri.queryParameters.get("connector").map { String($0) })
            let handoff = try await self.mapping {
                try await liveAgent.startHandoff(HandoffRequest(
                    employeeId: body.employeeId, email: body.email, firstName: body.firstName, lastName: body.lastName, topic: body.topic,
                    summary: body.summary, attributes: body.attributes ?? [:]))
            }
            let stored = try await self.store.handoff(id: handoff.id)
            return try jsonResponse(HandoffView(
                id: handoff.id, connector: name, conversationId: handoff.conversationId, employeeId: handoff.employeeId,
                status: stored?.status.rawValue ?? handoff.status.rawValue, topic: body.topic, endReason: stored?.endReason,
                createdAt: stored?.createdAt, updatedAt: stored?.updatedAt, clientToken: try handoff.clientToken?.revealedString(),
                clientTokenExpiresAt: handoff.clientTokenExpiresAt, events: handoff.clientToken == nil ? "/v1/handoffs/\(handoff.id)/events" : nil),
                status: .created)
        }
        handoffs.get(":id") { _, context in
            let record = try await self.record(context)
            return try jsonResponse(Self.view(record))
        }
        handoffs.post(":id/messages") { request, context in
            let record = try await self.record(context)
            let body = try await self.decode(MessageBody.self, request)
            let liveAgent = try self.liveAgent(named: record.connector).1
            try await self.mapping { try await liveAgent.sendMessage(handoffId: record.id, text: body.text) }
            return try jsonResponse(["accepted": true], status: .accepted)
        }
        handoffs.post(":id/typing") { request, context in
            let record = try await self.record(context)
            let body = try await self.decode(TypingBody.self, request)
            let liveAgent = try self.liveAgent(named: record.connector).1
            try await self.mapping { try await liveAgent.setTyping(handoffId: record.id, isTyping: body.typing) }
            return Response(status: .noContent)
        }
        handoffs.delete(":id") { _, context in
            let record = try await self.record(context)
            let liveAgent = try self.liveAgent(named: record.connector).1
            try await self.mapping { try await liveAgent.endHandoff(handoffId: record.id) }
            return try jsonResponse(Self.view(try await self.store.handoff(id: record.id) ?? record))
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

    static func view(_ record: HandoffRecord) -> HandoffView {
        HandoffView(id: record.id, connector: record.connector, conversationId: record.conversationId, employeeId: record.employeeId,
                    status: record.status.rawValue, topic: record.request.topic, endReason: record.endReason, createdAt: record.createdAt,
                    updatedAt: record.updatedAt, events: "/v1/handoffs/\(record.id)/events")
    }

    private func record(_ context: BasicRequestContext) async throws -> HandoffRecord {
        let id = try context.parameters.require("id")
        guard let record = try await store.handoff(id: id) else { throw APIError.notFound("no handoff \(id)") }
        return record
    }

    /// The live-agent interface of the named connector, or of the only one that provides it.
    func liveAgent(named wanted: String?) throws -> (String, any LiveAgent) {
        let (name, connector) = try running(providing: .liveAgent, named: wanted, hint: "\"connector\"")
        guard let liveAgent = connector.liveAgent else { throw APIError.notFound("connector \(name) does not run live-agent") }
        return (name, liveAgent)
    }
}
