import ConnectorKit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension HostAPI {
    struct NewTicketBody: Decodable {
        var requesterEmail: String
        var subject: String
        var description: String?
        var priority: String?
        var fields: [String: String]?
    }

    struct UpdateBody: Decodable {
        var status: String?
        var priority: String?
        var fields: [String: String]?
    }

    struct CommentBody: Decodable {
        var body: String
        var isPublic: Bool?
    }

    /// Tickets through the connector that provides `ticketing` (or the one `?connector=` names).
    func addTicketRoutes(_ router: Router<BasicRequestContext>) {
        let tickets = router.group("/v1/tickets")
        tickets.post { request, context in
            guard let key = request.headers[HTTPField.Name("Idempotency-Key")!], !key.isEmpty else {
                throw APIError.badRequest("the Idempotency-Key header is required: the same key never creates a second ticket", code: .missingIdempotencyKey)
            }
            let body = try await self.decode(NewTicketBody.self, request)
            let ticketing = try self.ticketing(request)
            let ticket = try await self.mapping {
                try await ticketing.createTicket(NewTicket(requesterEmail: body.requesterEmail, subject: body.subject, description: body.description,
                                                           priority: body.priority, fields: body.fields ?? [:], idempotencyKey: key))
            }
            return try jsonResponse(ticket, status: .created)
        }
        tickets.get { request, _ in
            guard let requester = request.uri.queryParameters.get("requester"), !requester.isEmpty else {
                throw APIError.badRequest("the requester query parameter is required: /v1/tickets?requester=ada@acme.example&state=open", code: .missingParameter)
            }
            try Self.checkEmail(String(requester), parameter: "requester")
            let stateText = request.uri.queryParameters.get("state").map { String($0) } ?? "open"
            guard let state = TicketStateFilter(rawValue: stateText) else {
                throw APIError.badRequest("state must be open, closed or all", code: .invalidParameter)
            }
            let ticketing = try self.ticketing(request)
            let list = try await self.mapping { try await ticketing.tickets(requesterEmail: String(requester), state: state) }
            return try jsonResponse(["tickets": list])
        }
        tickets.get(":id") { request, context in
            let id = try context.parameters.require("id")
            let ticketing = try self.ticketing(request)
            return try jsonResponse(try await self.mapping { try await ticketing.ticket(id: id) })
        }
        tickets.patch(":id") { request, context in
            let id = try context.parameters.require("id")
            let body = try await self.decode(UpdateBody.self, request)
            let ticketing = try self.ticketing(request)
            let ticket = try await self.mapping {
                try await ticketing.updateTicket(id: id, TicketUpdate(status: body.status, priority: body.priority, fields: body.fields ?? [:]))
            }
            return try jsonResponse(ticket)
        }
        tickets.post(":id/comments") { request, context in
            let id = try context.parameters.require("id")
            let body = try await self.decode(CommentBody.self, request)
            let ticketing = try self.ticketing(request)
            let comment = try await self.mapping { try await ticketing.addComment(ticketId: id, body: body.body, isPublic: body.isPublic ?? true) }
            return try jsonResponse(comment, status: .created)
        }
    }

    /// The ticketing interface of the running connector that provides it.
    func ticketing(_ request: Request) throws -> any Ticketing {
        let wanted = request.uri.queryParameters.get("connector").map { String($0) }
        let (name, connector) = try running(providing: .ticketing, named: wanted, hint: "?connector=")
        guard let ticketing = connector.ticketing else { throw APIError.notFound("connector \(name) does not run ticketing") }
        return ticketing
    }

    /// The running connector that provides `feature` — the one named, or the only one.
    func running(providing feature: Feature, named wanted: String?, hint: String) throws -> (String, any Connector) {
        let candidates = board.snapshot.filter { $0.features.contains(feature) && (wanted == nil || $0.name == wanted) }
        guard let status = candidates.first else {
            throw APIError.notFound(wanted.map { "no connector \($0) with \(feature)" } ?? "no connector provides \(feature)")
        }
        guard candidates.count == 1 else {
            throw APIError.badRequest("several connectors provide \(feature); name one with \(hint)", code: .ambiguousConnector)
        }
        guard let connector = board.connector(status.name) else {
            throw APIError(status: .serviceUnavailable, code: .connectorUnavailable, message: "connector \(status.name) is \(status.state.name)")
        }
        return (status.name, connector)
    }

    /// The JSON body as `T`.
    /// - Throws: `413 payload_too_large` past ``APILimits/maxBodyBytes``, `400 invalid_body` for
    ///   anything but JSON of the expected shape.
    func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError(status: .contentTooLarge, code: .payloadTooLarge,
                           message: "the body is larger than \(limits.maxBodyBytes) bytes")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: body))
        } catch DecodingError.keyNotFound(let key, _) {
            throw APIError.badRequest("the JSON body lacks \(key.stringValue)", code: .invalidBody)
        } catch {
            throw APIError.badRequest("the body must be JSON like the examples in openapi.yaml", code: .invalidBody)
        }
    }

}
