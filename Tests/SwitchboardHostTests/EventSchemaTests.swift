import ConnectorKit
import Foundation
@testable import SwitchboardHost
import Testing
import Yams

/// API v1's events: every type the host can emit, as the API sends it (through a real SQLite log),
/// validates against openapi.yaml — the CloudEvents envelope (`Event`) and the type's own data schema.
@Suite("API v1 events validate against openapi.yaml")
struct EventSchemaTests {
    static let occurred = Date(timeIntervalSince1970: 1_767_225_600.25)

    /// One event of every kind a connector can emit.
    static let samples: [ConnectorEvent.Payload] = {
        let comment = TicketComment(id: "00a1", body: "Restarted it.", isPublic: true, author: .agent, createdAt: Date(timeIntervalSince1970: 1_767_225_600))
        let tickets: [TicketEvent.Kind] = [.statusChanged(from: "New", to: "Working"), .statusChanged(from: nil, to: "New"), .publicCommentAdded(comment)]
        let handoffs: [HandoffEvent.Kind] = [
            .queued(estimatedWaitSeconds: 30), .queued(estimatedWaitSeconds: nil), .routingFailed(reason: "no queue"), .agentJoined(displayName: "Dana"),
            .agentLeft(displayName: "Dana"), .agentMessage(text: "Hello", senderDisplayName: "Dana"), .agentMessage(text: "Hi", senderDisplayName: nil),
            .typingStarted, .typingStopped, .endedByAgent, .sessionEnded(endedBy: .employee), .sessionEnded(endedBy: .timeout), .closed(reason: nil), .closed(reason: "the connector was removed from the configuration"),
        ]
        return tickets.map { .ticket(TicketEvent(ticketId: "500X", requesterEmail: "ada@acme.example", kind: $0, occurredAt: occurred)) }
            + handoffs.enumerated().map { .handoff(HandoffEvent(handoffId: "ho_1", entryId: "e\($0.offset)", kind: $0.element, occurredAt: occurred)) }
            + [.module(try! ModuleEvent(type: "payroll.run_finished", subject: "run-7", data: .object([JSONMember("employees", .integer(12))])))]
    }()

    @Test func everyEmittedEventValidatesAgainstItsSchema() async throws {
        let root = try #require(try Yams.load(yaml: String(contentsOf: OpenAPIDocumentTests.document, encoding: .utf8)) as? [String: Any])
        let schemas = try #require((root["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let validator = OpenAPISchemaValidator(schemas: schemas)
        let envelopeSchema = try #require(schemas["Event"] as? [String: Any])
        let directory = NSTemporaryDirectory() + "switchboard-events-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(path: directory + "/state.db")
        for sample in Self.samples { _ = try await store.emit(ConnectorEvent(connector: "acme", payload: sample)) }
        let events = try await store.events(after: 0, limit: 100)
        #expect(events.count == Self.samples.count)
        #expect(Set(EventCatalog.types).isSubset(of: Set(events.map(\.type))), "a sample of every declared type")
        for event in events {
            let envelope = try #require(try JSONSerialization.jsonObject(with: Data(event.envelope.utf8)) as? [String: Any], "\(event.envelope)")
            #expect(validator.problems(envelope, envelopeSchema).isEmpty, "\(event.type): \(validator.problems(envelope, envelopeSchema))")
            let dataSchema = try #require(schemas[EventCatalog.schemaName(of: event.type)] as? [String: Any], "no schema for \(event.type)")
            let problems = validator.problems(envelope["data"], dataSchema, at: "data")
            #expect(problems.isEmpty, "\(event.type): \(problems) in \(event.envelope)")
            #expect(envelope["type"] as? String == event.type && envelope["id"] as? String == "\(event.id)" && envelope["source"] as? String == "/connectors/acme")
            if event.type.hasPrefix("handoff.") || event.type.hasPrefix("ticket.") {
                #expect(envelope["time"] as? String == "2026-01-01T00:00:00.250Z", "the source's time, to the millisecond")
            }
        }
        // Every declared type has a documented schema, and openapi lists them in the envelope's examples.
        let listed = ((envelopeSchema["properties"] as? [String: Any])?["type"] as? [String: Any])?["examples"] as? [String]
        #expect(listed == EventCatalog.types)
    }

    /// The validator itself: it rejects what the schemas forbid (so a passing check means something).
    @Test func theValidatorRejectsWhatTheSchemaForbids() throws {
        let root = try #require(try Yams.load(yaml: String(contentsOf: OpenAPIDocumentTests.document, encoding: .utf8)) as? [String: Any])
        let schemas = try #require((root["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let validator = OpenAPISchemaValidator(schemas: schemas)
        let message = try #require(schemas["HandoffAgentMessageData"] as? [String: Any])
        #expect(validator.problems(["handoffId": "h", "entryId": "e", "text": "t", "senderDisplayName": NSNull()], message).isEmpty)
        #expect(!validator.problems(["handoffId": "h", "entryId": "e", "text": "t"], message).isEmpty, "a required field missing")
        #expect(!validator.problems(["handoffId": "h", "entryId": "e", "text": 3, "senderDisplayName": "x"], message).isEmpty, "a wrong type")
        #expect(!validator.problems(["handoffId": "h", "entryId": "e", "text": "t", "senderDisplayName": "x", "_0": "y"], message).isEmpty, "an undocumented field")
        let ended = try #require(schemas["HandoffSessionEndedData"] as? [String: Any])
        #expect(!validator.problems(["handoffId": "h", "entryId": "e", "endedBy": "agent"], ended).isEmpty, "outside the enum")
    }

    /// Error codes are declared once (APIErrorCode) and listed in openapi.yaml, the connector's included.
    @Test func everyErrorCodeIsDocumented() throws {
        let root = try #require(try Yams.load(yaml: String(contentsOf: OpenAPIDocumentTests.document, encoding: .utf8)) as? [String: Any])
        let schemas = try #require((root["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let error = try #require(((schemas["Error"] as? [String: Any])?["properties"] as? [String: Any])?["error"] as? [String: Any])
        let documented = try #require(((error["properties"] as? [String: Any])?["code"] as? [String: Any])?["enum"] as? [String])
        #expect(documented == APIErrorCode.all.map(\.rawValue))
        let connectorCodes: [ConnectorError.Code] = [.misconfigured, .featureNotEnabled, .unauthorized, .notFound, .invalidRequest, .conflict,
                                                     .rateLimited, .upstream, .unavailable, .notImplemented]
        for code in connectorCodes { #expect(documented.contains(code.description), "\(code) is passed through by the API") }
    }
}
