import ConnectorKit
import Foundation

/// Creates a Case at most once per Idempotency-Key, on a stock org as on one with an External ID
/// field for the key.
///
/// The key and the request are recorded locally as *pending* before any call, and as *created*
/// with the Case id after it. A repeated key returns the same Case; a key reused for a different
/// request is a conflict. An attempt whose outcome is unknown — a dropped connection, a timeout,
/// or a 5xx (which does not prove that nothing was created: the platform or a proxy may answer 500,
/// 502 or 504 after the Case was saved) — leaves the key pending, with the attempt's time window.
/// The next request with the key first looks for the Case that attempt may have made, and
/// creates one only if there is none:
/// - **stock org** (`idempotency_field` unset): a Case created by the integration user in the
///   attempt's window (± ``Settings/matchSlack``) with the request's subject, origin, e-mail and
///   priority, that no other key has claimed;
/// - **External ID field** (`idempotency_field: Switchboard_Key__c`): the Case whose field holds the
///   key; creation itself is an upsert by that field (`PATCH /sobjects/Case/{field}/{key}`), which
///   is safe to repeat, so the transport retries it on 5xx and dropped connections.
/// A 4xx answer proves nothing was created: the key is free again.
struct CaseCreation: Sendable {
    /// What the host remembers about a key (module state `idempotency/{key}`).
    struct Record: Codable {
        var request: String
        var state: String  // pending | created
        var caseID: String?
        /// When the last attempt began, and when its unknown outcome was seen (nil: the process
        /// stopped during the attempt).
        var startedAt: Date?
        var endedAt: Date?
    }

    let rest: SalesforceREST
    let auth: SalesforceJWTBearerAuth
    let context: ConnectorContext
    let settings: CaseTicketing.Settings
    let inFlight: InFlightKeys

    static func stateKey(_ key: String) -> String { "idempotency/\(key)" }
    static func claimKey(_ caseID: String) -> String { "case-key/\(caseID)" }

    /// The Case for `request`: the one its key already made, or a new one with the field values
    /// `fields` gives (asked for only then).
    func create(_ request: NewTicket, key: String, fields makeFields: () async throws -> [JSONMember]) async throws -> String {
        guard inFlight.claim(key) else {
            throw ConnectorError.conflict("a request with this Idempotency-Key is still in progress; retry it in a moment")
        }
        defer { inFlight.release(key) }
        let canonical = Self.canonical(request)
        if let record = try await load(key) {
            guard record.request == canonical else {
                throw ConnectorError.conflict("this Idempotency-Key was used for a different request")
            }
            if record.state == "created", let id = record.caseID { return id }
            // Pending: an earlier attempt's outcome is unknown. Find the Case it may have made.
            if let id = try await findCase(made: record, request: request, key: key) {
                try await created(key, canonical, id)
                context.logger.info("an earlier attempt had created the Case; returning it", metadata: ["case": .string(id)])
                return id
            }
        }
        let fields = try await makeFields()
        let started = context.clock.now()
        try await save(key, Record(request: canonical, state: "pending", caseID: nil, startedAt: started, endedAt: nil))
        let id: String
        do {
            if let field = settings.idempotencyField {
                id = try await rest.upsert("Case", externalIDField: field, value: key, fields: .object(fields)).id
            } else {
                id = try await rest.create("Case", fields: .object(fields))
            }
        } catch let error as SalesforceAPIError where error.status < 500 {
            // Salesforce refused the request: nothing was created, the key is free again.
            try await context.store.setModuleState(key: Self.stateKey(key), value: nil)
            throw CaseTicketing.mapped(error)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // A 5xx, a dropped connection, a timeout: the Case may exist. The key stays pending with
            // the attempt's window; the next request with it looks for the Case first.
            try? await save(key, Record(request: canonical, state: "pending", caseID: nil, startedAt: started, endedAt: context.clock.now()))
            context.logger.warning("a Case creation's outcome is unknown; the key stays pending", metadata: ["error": .string("\(error)")])
            throw ConnectorError.unavailable("Salesforce did not confirm the Case (it may have been created); retry with the same Idempotency-Key")
        }
        try await created(key, canonical, id)
        return id
    }

    /// The Case an ambiguous attempt made, if any.
    func findCase(made record: Record, request: NewTicket, key: String) async throws -> String? {
        if let field = settings.idempotencyField {
            return try await rest.queryAll("SELECT Id FROM Case WHERE \(field) = \(SOQLText.quote(key)) LIMIT 1").first?["Id"]?.stringValue
        }
        guard let started = record.startedAt, let integration = try await auth.session().userID else { return nil }
        let slack = Double(settings.matchSlack.components.seconds)
        let from = started.addingTimeInterval(-slack)
        let to = (record.endedAt ?? started.addingTimeInterval(Double(settings.attemptWindow.components.seconds))).addingTimeInterval(slack)
        var conditions = [
            "CreatedById = \(SOQLText.quote(integration))", "Subject = \(SOQLText.quote(request.subject))",
            "Origin = \(SOQLText.quote(settings.caseOrigin))", "SuppliedEmail = \(SOQLText.quote(request.requesterEmail))",
            "CreatedDate >= \(SOQLText.dateTimeSeconds(from))", "CreatedDate <= \(SOQLText.dateTimeSeconds(to.addingTimeInterval(1)))",
        ]
        if let priority = request.priority { conditions.append("Priority = \(SOQLText.quote(priority))") }
        let candidates = try await rest.queryAll("SELECT Id FROM Case WHERE \(conditions.joined(separator: " AND ")) ORDER BY CreatedDate, Id LIMIT 50")
            .compactMap { $0["Id"]?.stringValue }
        for id in candidates {
            // A Case another key already owns (the same request sent twice on purpose) is not this one.
            let owner = try await context.store.moduleState(key: Self.claimKey(id)).map { String(decoding: $0, as: UTF8.self) }
            if owner == nil || owner == key { return id }
        }
        return nil
    }

    private func created(_ key: String, _ canonical: String, _ id: String) async throws {
        try await context.store.setModuleState(key: Self.claimKey(id), value: Data(key.utf8))
        try await save(key, Record(request: canonical, state: "created", caseID: id, startedAt: nil, endedAt: nil))
        if try await context.store.moduleState(key: CaseWatcher.ownKey(id)) == nil {
            try await context.store.setModuleState(key: CaseWatcher.ownKey(id), value: Data("New".utf8))
        }
    }

    private func load(_ key: String) async throws -> Record? {
        guard let data = try await context.store.moduleState(key: Self.stateKey(key)) else { return nil }
        return try? JSONDecoder().decode(Record.self, from: data)
    }

    private func save(_ key: String, _ record: Record) async throws {
        try await context.store.setModuleState(key: Self.stateKey(key), value: try JSONEncoder().encode(record))
    }

    /// The request without its key, as stable JSON: what "the same request" means.
    static func canonical(_ request: NewTicket) -> String {
        var copy = request
        copy.idempotencyKey = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(copy)) ?? Data(), as: UTF8.self)
    }
}
