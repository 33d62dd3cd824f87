import ConnectorKit
import Foundation

/// Turns Enhanced Messaging entries — from the event stream or from `/entries` — into the events
/// the assistant gets (salesforce-messaging-api.md §5). Pure: no I/O.
///
/// Forwarded: routing results (queued with the estimated wait, or failed with the reason), agents
/// and bots joining and leaving, their messages, their typing, the session ending and the
/// conversation closing. Dropped: the employee's own echoes, acknowledgements, `ping` and every
/// event this build does not know.
enum MessagingEntryMapper {
    /// A mapped entry: its identifier (the de-duplication key) and what it means.
    struct Mapped: Equatable {
        var identifier: String
        var kind: HandoffEvent.Kind
        var occurredAt: Date
    }

    /// The event-stream event's conversation id and mapped entry (nil: not forwarded).
    static func map(event name: String, data: String) -> (conversationId: String, entry: Mapped?)? {
        guard name != "ping", let json = try? JSONParser.parse(data), let conversationId = json["conversationId"]?.stringValue else { return nil }
        guard let entry = json["conversationEntry"] else { return (conversationId, nil) }
        switch name {
        case "CONVERSATION_MESSAGE", "CONVERSATION_ROUTING_RESULT", "CONVERSATION_PARTICIPANT_CHANGED",
             "CONVERSATION_TYPING_STARTED_INDICATOR", "CONVERSATION_TYPING_STOPPED_INDICATOR",
             "CONVERSATION_SESSION_STATUS_CHANGED":
            return (conversationId, map(entry: entry))
        case "CONVERSATION_CLOSE_CONVERSATION":
            return (conversationId, Mapped(identifier: closedIdentifier, kind: .closed(reason: nil), occurredAt: timestamp(entry)))
        default:
            return (conversationId, nil)
        }
    }

    /// The identifier every "conversation closed" maps to, so a close is delivered once whichever way it is seen.
    static let closedIdentifier = "conversation-closed"

    /// A conversation entry (its `entryPayload` a JSON string on the stream, an object in `/entries`).
    static func map(entry: JSONValue) -> Mapped? {
        guard let identifier = entry["identifier"]?.stringValue, let type = entry["entryType"]?.stringValue else { return nil }
        let payload: JSONValue? = switch entry["entryPayload"] {
        case .string(let text)?: try? JSONParser.parse(text)
        case let value?: value
        case nil: nil
        }
        let role = entry["sender"]?["role"]?.stringValue ?? ""
        let name = entry["senderDisplayName"]?.stringValue
        let at = timestamp(entry)
        func mapped(_ kind: HandoffEvent.Kind) -> Mapped { Mapped(identifier: identifier, kind: kind, occurredAt: at) }
        switch type {
        case "Message":
            // The employee's own messages come back as echoes: never forwarded.
            guard ["Agent", "Chatbot", "Supervisor"].contains(role) else { return nil }
            guard let text = payload?["abstractMessage"]?["staticContent"]?["text"]?.stringValue else { return nil }
            return mapped(.agentMessage(text: text, senderDisplayName: name))
        case "TypingStartedIndicator", "TypingStoppedIndicator":
            guard role != "EndUser" else { return nil }
            return mapped(type == "TypingStartedIndicator" ? .typingStarted : .typingStopped)
        case "RoutingResult":
            let failure = payload?["failureType"]?.stringValue ?? "None"
            if failure != "None" {
                var reason = payload?["failureReason"]?.stringValue ?? ""
                if reason.isEmpty, case .array(let messages)? = payload?["errorMessages"] { reason = messages.compactMap(\.stringValue).joined(separator: "; ") }
                return mapped(.routingFailed(reason: reason.isEmpty ? failure : reason))
            }
            let wait = payload?["estimatedWaitTime"]?["estimatedWaitTimeInSeconds"]?.integerValue.map(Int.init)
            return mapped(.queued(estimatedWaitSeconds: wait.flatMap { $0 >= 0 ? $0 : nil }))
        case "ParticipantChanged":
            guard case .array(let changes)? = payload?["entries"],
                  let change = changes.first(where: { ["Agent", "Chatbot", "Supervisor"].contains($0["participant"]?["role"]?.stringValue ?? "") }) else { return nil }
            let display = change["displayName"]?.stringValue ?? "Agent"
            return mapped(change["operation"]?.stringValue == "remove" ? .agentLeft(displayName: display) : .agentJoined(displayName: display))
        case "SessionStatusChanged":
            let status = payload?["sessionStatus"]?.stringValue ?? payload?["status"]?.stringValue ?? ""
            guard ["Ended", "Closed", "Inactive"].contains(status) else { return nil }
            return mapped(Self.sessionEnd(status: status, reason: payload?["reason"]?.stringValue, role: role))
        default:
            return nil
        }
    }

    /// Who ended a session, as far as the entry says: its sender's role (documented: EndUser, Agent,
    /// System), else its reason or an `Inactive` status (the payload's fields are not documented, so
    /// anything unrecognised is the agent's doing, as before, or unknown from the system).
    static func sessionEnd(status: String, reason: String?, role: String?) -> HandoffEvent.Kind {
        let why = (reason ?? "").lowercased()
        switch role {
        case "EndUser"?: return .sessionEnded(endedBy: .employee)
        case "Agent"?, "Supervisor"?: return .endedByAgent
        default: break
        }
        if why.contains("enduser") || why.contains("end_user") || why.contains("customer") { return .sessionEnded(endedBy: .employee) }
        if status == "Inactive" || why.contains("timeout") || why.contains("inactiv") || why.contains("idle") { return .sessionEnded(endedBy: .timeout) }
        if why.contains("agent") || why.isEmpty { return .endedByAgent }
        return .sessionEnded(endedBy: .unknown)
    }

    /// An entry's time in milliseconds since 1970, as sent (now when it has none).
    static func milliseconds(_ entry: JSONValue) -> Int64 {
        (entry["transcriptedTimestamp"]?.integerValue ?? entry["clientTimestamp"]?.integerValue).map { Int64($0) }
            ?? Int64(Date().timeIntervalSince1970 * 1000)
    }

    static func timestamp(_ entry: JSONValue) -> Date { Date(timeIntervalSince1970: Double(milliseconds(entry)) / 1000) }
}
