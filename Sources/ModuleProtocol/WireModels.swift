import ConnectorKit
import Foundation

/// The protocol's JSON shapes of the contract's models (docs/module-protocol.md), both ways.
public enum Wire {
    // MARK: Dates

    /// ISO 8601 with `Z`, milliseconds when there are any (`2026-11-25T10:00:00Z`, `…:00.250Z`).
    public static func date(_ date: Date) -> JSONValue { .string(ISO8601Text.format(date)) }

    /// Reads an ISO 8601 UTC date (`Z` or `+00:00`), with or without fractional seconds.
    public static func date(_ json: JSONValue?, field: String) throws(RPCError) -> Date {
        guard let text = json?.stringValue else { throw .invalidParams("\(field) must be an ISO 8601 date") }
        if let date = ISO8601Text.parse(text) { return date }
        throw .invalidParams("\(field): '\(text)' is not an ISO 8601 UTC date (like 2026-11-25T10:00:00Z)")
    }

    static func string(_ json: JSONValue, _ field: String, in what: String) throws(RPCError) -> String {
        guard let text = json[field]?.stringValue else { throw .invalidParams("\(what).\(field) must be a string") }
        return text
    }

    // MARK: Records

    /// A record of `records.commit`: `{"user":{…}}` or `{"article":{…}}`.
    public static func record(_ json: JSONValue) throws(RPCError) -> SyncRecord {
        if let user = json["user"] {
            return .user(UserRecord(
                id: try string(user, "id", in: "user"), email: user["email"]?.stringValue, firstName: user["firstName"]?.stringValue,
                lastName: user["lastName"]?.stringValue, fields: user["fields"]?.stringMap ?? [:],
                modifiedAt: try date(user["modifiedAt"], field: "user.modifiedAt")))
        }
        if let article = json["article"] {
            return .article(KnowledgeArticle(
                id: try string(article, "id", in: "article"), articleNumber: article["articleNumber"]?.stringValue,
                title: try string(article, "title", in: "article"), summary: article["summary"]?.stringValue, urlName: article["urlName"]?.stringValue,
                language: try string(article, "language", in: "article"), bodyHTML: article["bodyHTML"]?.stringMap ?? [:],
                bodyText: try string(article, "bodyText", in: "article"), modifiedAt: try date(article["modifiedAt"], field: "article.modifiedAt")))
        }
        throw .invalidParams("a record is {\"user\":{…}} or {\"article\":{…}}")
    }

    /// A record as JSON.
    public static func json(_ record: SyncRecord) -> JSONValue {
        switch record {
        case .user(let user):
            .object([("user", .object([
                ("id", .string(user.id)), ("email", user.email.map(JSONValue.string)), ("firstName", user.firstName.map(JSONValue.string)),
                ("lastName", user.lastName.map(JSONValue.string)), ("fields", stringMap(user.fields)), ("modifiedAt", date(user.modifiedAt)),
            ]))])
        case .article(let article):
            .object([("article", .object([
                ("id", .string(article.id)), ("articleNumber", article.articleNumber.map(JSONValue.string)), ("title", .string(article.title)),
                ("summary", article.summary.map(JSONValue.string)), ("urlName", article.urlName.map(JSONValue.string)),
                ("language", .string(article.language)), ("bodyText", .string(article.bodyText)), ("modifiedAt", date(article.modifiedAt)),
            ]))])
        }
    }

    /// HTTP headers as the protocol carries them: `[[name, value], …]` (names may repeat).
    public static func json(headers: [(String, String)]) -> JSONValue {
        .array(headers.map { .array([.string($0.0), .string($0.1)]) })
    }

    /// HTTP headers from `[[name, value], …]`; malformed pairs are left out.
    public static func headers(_ json: JSONValue?) -> [(String, String)] {
        (json?.arrayValue ?? []).compactMap { pair in
            guard let items = pair.arrayValue, items.count == 2, let name = items[0].stringValue, let value = items[1].stringValue else { return nil }
            return (name, value)
        }
    }

    static func stringMap(_ map: [String: String]) -> JSONValue {
        .object(map.keys.sorted().map { JSONMember($0, .string(map[$0]!)) })
    }

    // MARK: Reports

    /// A sync's result.
    public static func syncReport(_ json: JSONValue) throws(RPCError) -> SyncReport {
        guard let upserted = json["upserted"]?.integerValue, let deleted = json["deleted"]?.integerValue else {
            throw .invalidParams("a sync result needs integer upserted and deleted")
        }
        return SyncReport(upserted: Int(upserted), deleted: Int(deleted), pages: Int(json["pages"]?.integerValue ?? 0))
    }

    /// A sync's result as JSON.
    public static func json(_ report: SyncReport) -> JSONValue {
        .object([("upserted", .integer(Int64(report.upserted))), ("deleted", .integer(Int64(report.deleted))), ("pages", .integer(Int64(report.pages)))])
    }

    /// A health report.
    public static func healthReport(_ json: JSONValue) throws(RPCError) -> HealthReport {
        guard let checks = json["checks"]?.arrayValue else { throw .invalidParams("check needs {\"checks\":[…]}") }
        var result: [HealthReport.Check] = []
        for check in checks {
            guard let name = check["name"]?.stringValue, let status = check["status"]?.stringValue.flatMap(HealthReport.Status.init(rawValue:)) else {
                throw .invalidParams("each check needs a name and a status (healthy, degraded, unhealthy)")
            }
            result.append(HealthReport.Check(name: name, status: status, detail: check["detail"]?.stringValue ?? ""))
        }
        return HealthReport(checks: result)
    }

    /// A health report as JSON.
    public static func json(_ report: HealthReport) -> JSONValue {
        .object([("checks", .array(report.checks.map { .object([("name", .string($0.name)), ("status", .string($0.status.rawValue)), ("detail", .string($0.detail))]) }))])
    }

    // MARK: Tickets

    /// A ticket.
    public static func ticket(_ json: JSONValue) throws(RPCError) -> Ticket {
        var comments: [TicketComment] = []
        for comment in json["comments"]?.arrayValue ?? [] { comments.append(try self.comment(comment)) }
        return Ticket(
            id: try string(json, "id", in: "ticket"), number: json["number"]?.stringValue, subject: try string(json, "subject", in: "ticket"),
            description: json["description"]?.stringValue, status: try string(json, "status", in: "ticket"), priority: json["priority"]?.stringValue,
            origin: json["origin"]?.stringValue, isClosed: json["isClosed"]?.boolValue ?? false,
            requester: Requester(email: json["requester"]?["email"]?.stringValue ?? "", externalId: json["requester"]?["externalId"]?.stringValue),
            fields: json["fields"]?.stringMap ?? [:], comments: comments,
            createdAt: try date(json["createdAt"], field: "ticket.createdAt"), updatedAt: try date(json["updatedAt"], field: "ticket.updatedAt"))
    }

    /// A comment.
    public static func comment(_ json: JSONValue) throws(RPCError) -> TicketComment {
        guard let author = json["author"]?.stringValue.flatMap(TicketComment.Author.init(rawValue:)) else {
            throw .invalidParams("comment.author must be integration or agent")
        }
        return TicketComment(id: try string(json, "id", in: "comment"), body: try string(json, "body", in: "comment"),
                             isPublic: json["isPublic"]?.boolValue ?? false, author: author, createdAt: try date(json["createdAt"], field: "comment.createdAt"))
    }

    /// A ticket as JSON.
    public static func json(_ ticket: Ticket) -> JSONValue {
        .object([
            ("id", .string(ticket.id)), ("number", ticket.number.map(JSONValue.string)), ("subject", .string(ticket.subject)),
            ("description", ticket.description.map(JSONValue.string)), ("status", .string(ticket.status)),
            ("priority", ticket.priority.map(JSONValue.string)), ("origin", ticket.origin.map(JSONValue.string)), ("isClosed", .bool(ticket.isClosed)),
            ("requester", .object([("email", .string(ticket.requester.email)), ("externalId", ticket.requester.externalId.map(JSONValue.string))])),
            ("fields", stringMap(ticket.fields)), ("comments", .array(ticket.comments.map(json))),
            ("createdAt", date(ticket.createdAt)), ("updatedAt", date(ticket.updatedAt)),
        ])
    }

    /// A comment as JSON.
    public static func json(_ comment: TicketComment) -> JSONValue {
        .object([("id", .string(comment.id)), ("body", .string(comment.body)), ("isPublic", .bool(comment.isPublic)),
                 ("author", .string(comment.author.rawValue)), ("createdAt", date(comment.createdAt))])
    }

    /// A new ticket's request as JSON.
    public static func json(_ request: NewTicket) -> JSONValue {
        .object([("requesterEmail", .string(request.requesterEmail)), ("subject", .string(request.subject)),
                 ("description", request.description.map(JSONValue.string)), ("priority", request.priority.map(JSONValue.string)),
                 ("fields", stringMap(request.fields)), ("idempotencyKey", .string(request.idempotencyKey))])
    }

    /// A ticket update as JSON.
    public static func json(id: String, _ update: TicketUpdate) -> JSONValue {
        .object([("id", .string(id)), ("status", update.status.map(JSONValue.string)), ("priority", update.priority.map(JSONValue.string)),
                 ("fields", stringMap(update.fields))])
    }
}

extension Wire {
    // MARK: Live agent and events

    /// A handoff request as JSON (`live-agent.start`'s params, with the host's handoff id).
    public static func json(handoffId: String, _ request: HandoffRequest) -> JSONValue {
        .object([
            ("handoffId", .string(handoffId)), ("employeeId", .string(request.employeeId)), ("email", request.email.map(JSONValue.string)),
            ("firstName", request.firstName.map(JSONValue.string)), ("lastName", request.lastName.map(JSONValue.string)),
            ("topic", request.topic.map(JSONValue.string)), ("summary", request.summary.map(JSONValue.string)), ("attributes", stringMap(request.attributes)),
        ])
    }

    /// A handoff request from `live-agent.start`'s params.
    public static func handoffRequest(_ json: JSONValue) throws(RPCError) -> HandoffRequest {
        HandoffRequest(employeeId: try string(json, "employeeId", in: "live-agent.start"), email: json["email"]?.stringValue,
                       firstName: json["firstName"]?.stringValue, lastName: json["lastName"]?.stringValue, topic: json["topic"]?.stringValue,
                       summary: json["summary"]?.stringValue, attributes: json["attributes"]?.stringMap ?? [:])
    }

    /// A handoff event (`handoff.event`): `kind` is one of queued, routing_failed, agent_joined,
    /// agent_left, agent_message, typing_started, typing_stopped, ended_by_agent, closed.
    public static func handoffEvent(_ json: JSONValue) throws(RPCError) -> HandoffEvent {
        let kind: HandoffEvent.Kind
        switch json["kind"]?.stringValue {
        case "queued": kind = .queued(estimatedWaitSeconds: json["estimatedWaitSeconds"]?.integerValue.map(Int.init))
        case "routing_failed": kind = .routingFailed(reason: json["reason"]?.stringValue ?? "")
        case "agent_joined": kind = .agentJoined(displayName: json["displayName"]?.stringValue ?? "")
        case "agent_left": kind = .agentLeft(displayName: json["displayName"]?.stringValue ?? "")
        case "agent_message": kind = .agentMessage(text: try string(json, "text", in: "handoff.event"), senderDisplayName: json["sender"]?.stringValue)
        case "typing_started": kind = .typingStarted
        case "typing_stopped": kind = .typingStopped
        case "ended_by_agent": kind = .endedByAgent
        case "session_ended": kind = .sessionEnded(endedBy: json["endedBy"]?.stringValue.flatMap(SessionEnder.init(rawValue:)) ?? .unknown)
        case "closed": kind = .closed(reason: json["reason"]?.stringValue)
        default: throw .invalidParams("handoff.event kind must be one of queued, routing_failed, agent_joined, agent_left, agent_message, typing_started, typing_stopped, ended_by_agent, session_ended, closed")
        }
        return HandoffEvent(handoffId: try string(json, "handoffId", in: "handoff.event"), entryId: try string(json, "entryId", in: "handoff.event"),
                            kind: kind, occurredAt: json["occurredAt"] == nil ? Date() : try date(json["occurredAt"], field: "handoff.event.occurredAt"))
    }

    /// A handoff event as JSON.
    public static func json(_ event: HandoffEvent) -> JSONValue {
        var members: [(String, JSONValue?)] = [("handoffId", .string(event.handoffId)), ("entryId", .string(event.entryId)), ("occurredAt", date(event.occurredAt))]
        switch event.kind {
        case .queued(let wait): members += [("kind", .string("queued")), ("estimatedWaitSeconds", wait.map { .integer(Int64($0)) })]
        case .routingFailed(let reason): members += [("kind", .string("routing_failed")), ("reason", .string(reason))]
        case .agentJoined(let name): members += [("kind", .string("agent_joined")), ("displayName", .string(name))]
        case .agentLeft(let name): members += [("kind", .string("agent_left")), ("displayName", .string(name))]
        case .agentMessage(let text, let sender): members += [("kind", .string("agent_message")), ("text", .string(text)), ("sender", sender.map(JSONValue.string))]
        case .typingStarted: members.append(("kind", .string("typing_started")))
        case .typingStopped: members.append(("kind", .string("typing_stopped")))
        case .endedByAgent: members.append(("kind", .string("ended_by_agent")))
        case .sessionEnded(let who): members += [("kind", .string("session_ended")), ("endedBy", .string(who.rawValue))]
        case .closed(let reason): members += [("kind", .string("closed")), ("reason", reason.map(JSONValue.string))]
        }
        return .object(members)
    }

    /// A ticket event (`ticket.event`): `kind` status_changed (`from`, `to`) or comment_added (`comment`).
    public static func ticketEvent(_ json: JSONValue) throws(RPCError) -> TicketEvent {
        let kind: TicketEvent.Kind
        switch json["kind"]?.stringValue {
        case "status_changed": kind = .statusChanged(from: json["from"]?.stringValue, to: try string(json, "to", in: "ticket.event"))
        case "comment_added":
            guard let comment = json["comment"] else { throw .invalidParams("ticket.event comment_added needs comment") }
            kind = .publicCommentAdded(try self.comment(comment))
        default: throw .invalidParams("ticket.event kind must be status_changed or comment_added")
        }
        return TicketEvent(ticketId: try string(json, "ticketId", in: "ticket.event"), requesterEmail: json["requesterEmail"]?.stringValue, kind: kind,
                           occurredAt: json["occurredAt"] == nil ? Date() : try date(json["occurredAt"], field: "ticket.event.occurredAt"))
    }

    /// A ticket event as JSON.
    public static func json(_ event: TicketEvent) -> JSONValue {
        var members: [(String, JSONValue?)] = [("ticketId", .string(event.ticketId)), ("requesterEmail", event.requesterEmail.map(JSONValue.string)),
                                               ("occurredAt", date(event.occurredAt))]
        switch event.kind {
        case .statusChanged(let from, let to): members += [("kind", .string("status_changed")), ("from", from.map(JSONValue.string)), ("to", .string(to))]
        case .publicCommentAdded(let comment): members += [("kind", .string("comment_added")), ("comment", json(comment))]
        }
        return .object(members)
    }
}
