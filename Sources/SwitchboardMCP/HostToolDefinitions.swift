import Foundation
import ConnectorKit
import MCP

extension HostTools {
    /// Every tool, each with a JSON Schema for its input; the feature a connector must provide.
    static let definitions: [Definition] = [
        Definition(tool: tool("search_knowledge", "Search the knowledge articles (title, summary, body), best first, with snippets.",
                              ["query": string("Words to find (each matches as a prefix; all must appear)."),
                               "language": string("Only this language, like en_US."), "limit": integer("How many results, 1…100 (default 10).", 1, 100)],
                              required: ["query"], readOnly: true), feature: "knowledge") { args in
            APIRequest(method: "GET", path: "/v1/knowledge/search",
                       query: [("q", try text(args, "query"))] + optionalQuery(args, ["language": "lang", "limit": "limit"]))
        },
        Definition(tool: tool("find_user", "Find the people with an e-mail address (from every user-ingestion connector).",
                              ["email": string("The e-mail address.")], required: ["email"], readOnly: true), feature: "user-ingestion") { args in
            APIRequest(method: "GET", path: "/v1/users", query: [("email", try text(args, "email"))])
        },
        Definition(tool: tool("create_ticket", "Open a ticket for a requester. Idempotent: the same idempotency_key never opens a second one.",
                              ["requester_email": string("The requester's e-mail (a synced employee)."), "subject": string("One line, at most 255 characters."),
                               "description": string("The details."), "priority": string("One of the org's priorities (High, Medium, Low)."),
                               "idempotency_key": string("A key for this request; retry with the same key."), "connector": string("The connector, when several provide ticketing.")],
                              required: ["requester_email", "subject", "idempotency_key"]), feature: "ticketing") { args in
            var body: [String: Value] = ["requesterEmail": .string(try text(args, "requester_email")), "subject": .string(try text(args, "subject"))]
            if let description = args["description"]?.stringValue { body["description"] = .string(description) }
            if let priority = args["priority"]?.stringValue { body["priority"] = .string(priority) }
            return APIRequest(method: "POST", path: "/v1/tickets", query: optionalQuery(args, ["connector": "connector"]), body: .object(body),
                              headers: [("Idempotency-Key", try text(args, "idempotency_key"))])
        },
        Definition(tool: tool("get_ticket", "A ticket with its comments.", ["ticket_id": string("The ticket id."), "connector": string("The connector, when several.")],
                              required: ["ticket_id"], readOnly: true), feature: "ticketing") { args in
            APIRequest(method: "GET", path: "/v1/tickets/" + (try segment(args, "ticket_id")), query: optionalQuery(args, ["connector": "connector"]))
        },
        Definition(tool: tool("list_tickets", "A requester's tickets, newest first.",
                              ["requester_email": string("The requester's e-mail."), "state": choice("open, closed or all (default open).", ["open", "closed", "all"]),
                               "connector": string("The connector, when several.")], required: ["requester_email"], readOnly: true), feature: "ticketing") { args in
            APIRequest(method: "GET", path: "/v1/tickets",
                       query: [("requester", try text(args, "requester_email"))] + optionalQuery(args, ["state": "state", "connector": "connector"]))
        },
        Definition(tool: tool("comment_ticket", "Add a comment to a ticket; is_public (default true) decides whether the requester sees it.",
                              ["ticket_id": string("The ticket id."), "body": string("The comment, at most 4,000 characters."),
                               "is_public": boolean("Whether the requester sees it."), "connector": string("The connector, when several.")],
                              required: ["ticket_id", "body"]), feature: "ticketing") { args in
            var body: [String: Value] = ["body": .string(try text(args, "body"))]
            if let isPublic = args["is_public"]?.boolValue { body["isPublic"] = .bool(isPublic) }
            return APIRequest(method: "POST", path: "/v1/tickets/\(try segment(args, "ticket_id"))/comments",
                              query: optionalQuery(args, ["connector": "connector"]), body: .object(body))
        },
        Definition(tool: tool("start_handoff", "Hand the employee to a human agent; the agent's replies arrive as handoff events.",
                              ["employee_id": string("The employee's stable id."), "email": string("Their e-mail."), "first_name": string("First name."),
                               "last_name": string("Last name."), "topic": string("One of the connector's topics (routes to a queue)."),
                               "summary": string("The conversation so far, sent as the first message."), "connector": string("The connector, when several.")],
                              required: ["employee_id"]), feature: "live-agent") { args in
            var body: [String: Value] = ["employeeId": .string(try text(args, "employee_id"))]
            for (argument, field) in [("email", "email"), ("first_name", "firstName"), ("last_name", "lastName"), ("topic", "topic"), ("summary", "summary"),
                                      ("connector", "connector")] {
                if let value = args[argument]?.stringValue { body[field] = .string(value) }
            }
            return APIRequest(method: "POST", path: "/v1/handoffs", body: .object(body))
        },
        Definition(tool: tool("send_handoff_message", "Send the employee's message to the agent.",
                              ["handoff_id": string("The handoff id."), "text": string("The message.")], required: ["handoff_id", "text"]), feature: "live-agent") { args in
            APIRequest(method: "POST", path: "/v1/handoffs/\(try segment(args, "handoff_id"))/messages", body: .object(["text": .string(try text(args, "text"))]))
        },
        Definition(tool: tool("end_handoff", "End the handoff from the employee's side.", ["handoff_id": string("The handoff id.")],
                              required: ["handoff_id"]), feature: "live-agent") { args in
            APIRequest(method: "DELETE", path: "/v1/handoffs/" + (try segment(args, "handoff_id")))
        },
        Definition(tool: tool("read_events", "Events of a handoff or ticket (an agent's replies, joins, a status change), oldest first, as "
                                  + "{\"events\":[…],\"next\":N}: pass next as after to read on. With wait_seconds, waits for the next one.",
                              ["subject": string("A handoff or ticket id (omit for every event)."),
                               "after": integer("The cursor: events after it (0 = from the start; omitted = only new ones).", 0, Int(Int32.max)),
                               "wait_seconds": integer("Wait up to this long for an event, 0…30 (default 0).", 0, 30),
                               "limit": integer("At most this many, 1…500 (default 100).", 1, 500)],
                              required: [], readOnly: true), features: ["live-agent", "ticketing"]) { args in
            APIRequest(method: "GET", path: "/v1/events/poll",
                       query: optionalQuery(args, ["subject": "subject", "after": "after", "wait_seconds": "wait", "limit": "limit"]))
        },
    ]

    static func tool(_ name: String, _ description: String, _ properties: [String: Value], required: [String], readOnly: Bool = false) -> Tool {
        Tool(name: name, description: description,
             inputSchema: .object(["type": .string("object"), "properties": .object(properties), "required": .array(required.map(Value.string)),
                                   "additionalProperties": .bool(false)]),
             annotations: .init(readOnlyHint: readOnly))
    }

    static func string(_ description: String) -> Value { .object(["type": .string("string"), "description": .string(description)]) }
    static func boolean(_ description: String) -> Value { .object(["type": .string("boolean"), "description": .string(description)]) }
    static func integer(_ description: String, _ minimum: Int, _ maximum: Int) -> Value {
        .object(["type": .string("integer"), "description": .string(description), "minimum": .int(minimum), "maximum": .int(maximum)])
    }
    static func choice(_ description: String, _ words: [String]) -> Value {
        .object(["type": .string("string"), "description": .string(description), "enum": .array(words.map(Value.string))])
    }

    /// A required text argument.
    static func text(_ args: [String: Value], _ name: String) throws -> String {
        guard let value = args[name]?.stringValue, !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ToolArgumentError(message: "\(name) is required (text)")
        }
        return value
    }

    /// A required argument that becomes one path segment.
    static func segment(_ args: [String: Value], _ name: String) throws -> String {
        PercentEncoding.encode(try text(args, name))
    }

    /// The optional arguments present, as query parameters.
    static func optionalQuery(_ args: [String: Value], _ names: [String: String]) -> [(String, String)] {
        names.keys.sorted().compactMap { argument in
            guard let value = args[argument] else { return nil }
            switch value {
            case .string(let text): return (names[argument]!, text)
            case .int(let number): return (names[argument]!, String(number))
            case .double(let number) where number == number.rounded() && abs(number) < 1e15: return (names[argument]!, String(Int(number)))
            case .double(let number): return (names[argument]!, String(number))
            case .bool(let flag): return (names[argument]!, String(flag))
            default: return nil
            }
        }
    }
}
