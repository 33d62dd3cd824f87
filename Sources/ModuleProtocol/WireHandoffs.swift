import ConnectorKit
import Foundation

extension Wire {
    // MARK: Stored handoffs (handoffs.get, handoffs.open, handoffs.save)

    /// A stored handoff as JSON: `{"id","conversationId","employeeId","status","lastEventId"?,
    /// "lastEntryAt"?,"endReason"?,"statusChangedAt"?,"statusEntryId"?,"request":{…},"createdAt","updatedAt"}`.
    public static func json(_ record: HandoffRecord) -> JSONValue {
        .object([
            ("id", .string(record.id)), ("conversationId", .string(record.conversationId)), ("employeeId", .string(record.employeeId)),
            ("status", .string(record.status.rawValue)), ("lastEventId", record.lastEventId.map(JSONValue.string)),
            ("lastEntryAt", record.lastEntryAt.map(date)), ("endReason", record.endReason.map(JSONValue.string)),
            ("statusChangedAt", record.statusChangedAt.map(date)), ("statusEntryId", record.statusEntryId.map(JSONValue.string)),
            ("request", json(handoffId: record.id, record.request)), ("createdAt", date(record.createdAt)), ("updatedAt", date(record.updatedAt)),
        ])
    }

    /// A stored handoff from JSON, for connector `connector`.
    public static func handoffRecord(_ json: JSONValue, connector: String) throws(RPCError) -> HandoffRecord {
        let what = "handoff"
        guard let status = json["status"]?.stringValue.flatMap(Handoff.Status.init(rawValue:)) else {
            throw .invalidParams("handoff.status must be pending, queued, active or ended")
        }
        var request = HandoffRequest(employeeId: try string(json, "employeeId", in: what))
        if let given = json["request"], given != .null { request = try handoffRequest(given) }
        var record = HandoffRecord(id: try string(json, "id", in: what), connector: connector,
                                   conversationId: json["conversationId"]?.stringValue ?? "", employeeId: try string(json, "employeeId", in: what),
                                   status: status, lastEventId: json["lastEventId"]?.stringValue, request: request,
                                   endReason: json["endReason"]?.stringValue,
                                   createdAt: json["createdAt"] == nil ? Date() : try date(json["createdAt"], field: "handoff.createdAt"),
                                   updatedAt: json["updatedAt"] == nil ? Date() : try date(json["updatedAt"], field: "handoff.updatedAt"))
        if let at = json["lastEntryAt"], at != .null { record.lastEntryAt = try date(at, field: "handoff.lastEntryAt") }
        if let at = json["statusChangedAt"], at != .null { record.statusChangedAt = try date(at, field: "handoff.statusChangedAt") }
        record.statusEntryId = json["statusEntryId"]?.stringValue
        return record
    }

    /// The stream position a `handoff.event` carries (`"position":{"lastEventId"?,"lastEntryAt"?}`).
    public static func json(_ position: HandoffPosition) -> JSONValue {
        .object([("lastEventId", position.lastEventId.map(JSONValue.string)), ("lastEntryAt", position.lastEntryAt.map(date))])
    }

    /// The position of a `handoff.event`, when it carries one.
    public static func handoffPosition(_ json: JSONValue?, handoffId: String) throws(RPCError) -> HandoffPosition? {
        guard let json, json != .null else { return nil }
        var at: Date?
        if let given = json["lastEntryAt"], given != .null { at = try date(given, field: "position.lastEntryAt") }
        return HandoffPosition(handoffId: handoffId, lastEventId: json["lastEventId"]?.stringValue, lastEntryAt: at)
    }
}

extension Wire {
    // MARK: doctor

    /// A diagnosis as JSON: `{"id","title","outcome":"passed"|"failed"|"skipped","detail","fix"?}`.
    public static func json(_ diagnosis: Diagnosis) -> JSONValue {
        .object([("id", .string(diagnosis.id)), ("title", .string(diagnosis.title)), ("outcome", .string(diagnosis.outcome.rawValue)),
                 ("detail", .string(diagnosis.detail)), ("fix", diagnosis.fix.map(JSONValue.string))])
    }

    /// The diagnoses of a `doctor` answer (`{"checks":[…]}`).
    public static func diagnoses(_ json: JSONValue) throws(RPCError) -> [Diagnosis] {
        var found: [Diagnosis] = []
        for item in json["checks"]?.arrayValue ?? [] {
            guard let outcome = item["outcome"]?.stringValue.flatMap(Diagnosis.Outcome.init(rawValue:)) else {
                throw .invalidParams("doctor: outcome must be passed, failed or skipped")
            }
            found.append(Diagnosis(id: try string(item, "id", in: "doctor"), title: try string(item, "title", in: "doctor"), outcome: outcome,
                                   detail: item["detail"]?.stringValue ?? "", fix: item["fix"]?.stringValue))
        }
        return found
    }
}
