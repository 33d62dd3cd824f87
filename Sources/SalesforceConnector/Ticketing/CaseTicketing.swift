import ConnectorKit
import Foundation
import ServiceLifecycle

/// Ticketing on Salesforce Cases and CaseComments.
///
/// Creation is idempotent: the caller's key and the request are recorded as *pending* before the
/// POST, and as *created* with the Case id after it. A repeated key returns the same Case; a key
/// reused for a different request is a conflict. When the outcome of a POST is unknown (a timeout
/// after Salesforce may have created the Case), the retry looks the Case up by the key, which is
/// written into the configured external-id field, and creates one only if none exists.
struct CaseTicketing: Ticketing {
    struct Settings: Sendable, Hashable {
        var caseOrigin: String = "Chat"
        /// A Case text field that receives the idempotency key (an external id), for reconciliation.
        var idempotencyField: String? = "Switchboard_Key__c"
        /// Ticket field name → Salesforce field name.
        var fieldMapping: [String: String] = [:]
        var watchInterval: Duration = .seconds(60)
    }

    let rest: SalesforceREST
    let auth: SalesforceJWTBearerAuth
    let context: ConnectorContext
    let settings: Settings

    static let caseFields = ["Id", "CaseNumber", "Subject", "Description", "Status", "Priority", "Origin", "IsClosed", "ContactId",
                             "SuppliedEmail", "CreatedDate", "LastModifiedDate"]

    // MARK: Create

    struct IdempotencyRecord: Codable {
        var request: String
        var state: String  // pending | created
        var caseID: String?
    }

    func createTicket(_ request: NewTicket) async throws -> Ticket {
        let key = request.idempotencyKey.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 255 else { throw ConnectorError.invalidRequest("the Idempotency-Key must be 1…255 characters", field: "Idempotency-Key") }
        guard !request.subject.trimmingCharacters(in: .whitespaces).isEmpty else { throw ConnectorError.invalidRequest("subject is required", field: "subject") }
        let canonical = Self.canonical(request)
        let stateKey = "idempotency/\(key)"
        if let data = try await context.store.moduleState(key: stateKey), let record = try? JSONDecoder().decode(IdempotencyRecord.self, from: data) {
            guard record.request == canonical else {
                throw ConnectorError.conflict("this Idempotency-Key was used for a different request")
            }
            if record.state == "created", let id = record.caseID { return try await ticket(id: id) }
            // Pending: a previous attempt's outcome is unknown. Find the Case it may have created.
            if let id = try await findCase(byKey: key) {
                try await remember(stateKey, IdempotencyRecord(request: canonical, state: "created", caseID: id))
                return try await ticket(id: id)
            }
        }
        try await remember(stateKey, IdempotencyRecord(request: canonical, state: "pending", caseID: nil))
        let contact = try await contactID(email: request.requesterEmail)
        var fields: [JSONMember] = [
            JSONMember("Subject", .string(request.subject)), JSONMember("Origin", .string(settings.caseOrigin)),
            JSONMember("SuppliedEmail", .string(request.requesterEmail)),
        ]
        if let description = request.description { fields.append(JSONMember("Description", .string(description))) }
        if let priority = request.priority { fields.append(JSONMember("Priority", .string(priority))) }
        if let contact { fields.append(JSONMember("ContactId", .string(contact))) }
        if let field = settings.idempotencyField { fields.append(JSONMember(field, .string(key))) }
        for (name, value) in request.fields.sorted(by: { $0.key < $1.key }) {
            fields.append(JSONMember(try salesforceField(name), .string(value)))
        }
        let id: String
        do {
            id = try await rest.create("Case", fields: .object(fields))
        } catch let error as SalesforceAPIError {
            // Salesforce answered: nothing was created, the key is free again.
            try await context.store.setModuleState(key: stateKey, value: nil)
            throw Self.mapped(error)
        }
        try await remember(stateKey, IdempotencyRecord(request: canonical, state: "created", caseID: id))
        try await context.store.setModuleState(key: "case-status/\(id)", value: Data("New".utf8))
        return try await ticket(id: id)
    }

    private func remember(_ key: String, _ record: IdempotencyRecord) async throws {
        try await context.store.setModuleState(key: key, value: try JSONEncoder().encode(record))
    }

    private func findCase(byKey key: String) async throws -> String? {
        guard let field = settings.idempotencyField else { return nil }
        return try await rest.queryAll("SELECT Id FROM Case WHERE \(field) = \(SOQLText.quote(key)) LIMIT 1").first?["Id"]?.stringValue
    }

    static func canonical(_ request: NewTicket) -> String {
        var copy = request
        copy.idempotencyKey = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(copy)) ?? Data(), as: UTF8.self)
    }

    /// The requester's Contact: from the host's synced users (this connector's), else by SOQL.
    func contactID(email: String) async throws -> String? {
        if let known = try? await context.users.users(email: email).first(where: { $0.connector == context.connectorName }) {
            return known.user.id
        }
        return try await rest.queryAll("SELECT Id FROM Contact WHERE Email = \(SOQLText.quote(email)) ORDER BY CreatedDate LIMIT 1").first?["Id"]?.stringValue
    }

    func salesforceField(_ name: String) throws -> String {
        if let mapped = settings.fieldMapping[name] { return mapped }
        throw ConnectorError.invalidRequest("field '\(name)' is not in ticketing.fields (known: \(settings.fieldMapping.keys.sorted().joined(separator: ", ")))", field: name)
    }

    static func mapped(_ error: SalesforceAPIError) -> ConnectorError {
        if error.isNotFound { return .notFound("Salesforce: \(error.message)") }
        if error.status == 400 { return .invalidRequest("Salesforce refused the request: \(error.errorCode): \(error.message)", field: error.fields.first) }
        return .unavailable(error.description)
    }

    // MARK: Read and change

    func ticket(id: String) async throws -> Ticket {
        let record: JSONValue
        do {
            record = try await rest.get("Case", id: id, fields: Self.caseFields + settings.fieldMapping.values.sorted())
        } catch let error as SalesforceAPIError {
            throw Self.mapped(error)
        }
        let integration = try await auth.session().userID
        let comments = try await rest.queryAll(
            "SELECT Id, CommentBody, IsPublished, CreatedById, CreatedDate FROM CaseComment WHERE ParentId = \(SOQLText.quote(id)) ORDER BY CreatedDate, Id")
            .map { Self.comment(from: $0, integrationUserID: integration) }
        return Self.ticket(from: record, comments: comments, mapping: settings.fieldMapping)
    }

    func updateTicket(id: String, _ update: TicketUpdate) async throws -> Ticket {
        var fields: [JSONMember] = []
        if let status = update.status { fields.append(JSONMember("Status", .string(status))) }
        if let priority = update.priority { fields.append(JSONMember("Priority", .string(priority))) }
        for (name, value) in update.fields.sorted(by: { $0.key < $1.key }) { fields.append(JSONMember(try salesforceField(name), .string(value))) }
        guard !fields.isEmpty else { throw ConnectorError.invalidRequest("nothing to change: give status, priority or fields") }
        do {
            try await rest.update("Case", id: id, fields: .object(fields))
        } catch let error as SalesforceAPIError {
            throw Self.mapped(error)
        }
        return try await ticket(id: id)
    }

    func addComment(ticketId: String, body: String, isPublic: Bool) async throws -> TicketComment {
        guard !body.isEmpty, body.utf8.count <= 4000 else { throw ConnectorError.invalidRequest("a comment is 1…4,000 bytes", field: "body") }
        let id: String
        do {
            id = try await rest.create("CaseComment", fields: .object([
                JSONMember("ParentId", .string(ticketId)), JSONMember("CommentBody", .string(body)), JSONMember("IsPublished", .bool(isPublic)),
            ]))
        } catch let error as SalesforceAPIError {
            throw Self.mapped(error)
        }
        return TicketComment(id: id, body: body, isPublic: isPublic, author: .integration, createdAt: context.clock.now())
    }

    func tickets(requesterEmail: String, state: TicketStateFilter) async throws -> [Ticket] {
        guard let contact = try await contactID(email: requesterEmail) else { return [] }
        let filter = switch state {
        case .open: " AND IsClosed = false"
        case .closed: " AND IsClosed = true"
        case .all: ""
        }
        let fields = (Self.caseFields + settings.fieldMapping.values.sorted()).joined(separator: ", ")
        return try await rest.queryAll("SELECT \(fields) FROM Case WHERE ContactId = \(SOQLText.quote(contact))\(filter) ORDER BY CreatedDate DESC, Id LIMIT 200")
            .map { Self.ticket(from: $0, comments: [], mapping: settings.fieldMapping) }
    }

    // MARK: Watch

    func watchChanges() async throws {
        let watcher = CaseWatcher(rest: rest, auth: auth, context: context)
        while !Task.isCancelled {
            do {
                let emitted = try await watcher.poll()
                if emitted > 0 { context.logger.info("ticket events", metadata: ["emitted": "\(emitted)"]) }
            } catch let error as SalesforceAPIError where error.isRateLimited {
                context.logger.warning("ticket watch paused by the API limit; it resumes from its cursor", metadata: ["error": "\(error)"])
            } catch is CancellationError {
                return
            }
            do {
                try await cancelWhenGracefulShutdown { try await context.clock.sleep(for: settings.watchInterval) }
            } catch {
                return
            }
        }
    }

    // MARK: Mapping

    static func ticket(from record: JSONValue, comments: [TicketComment], mapping: [String: String]) -> Ticket {
        func text(_ name: String) -> String? { record[name]?.stringValue }
        func date(_ name: String) -> Date { text(name).flatMap(SalesforceDateTime.parse) ?? Date(timeIntervalSince1970: 0) }
        var fields: [String: String] = [:]
        for (name, field) in mapping { if let value = text(field) { fields[name] = value } }
        return Ticket(id: text("Id") ?? "", number: text("CaseNumber"), subject: text("Subject") ?? "", description: text("Description"),
                      status: text("Status") ?? "", priority: text("Priority"), origin: text("Origin"), isClosed: record["IsClosed"] == .bool(true),
                      requester: Requester(email: text("SuppliedEmail") ?? "", externalId: text("ContactId")), fields: fields,
                      comments: comments, createdAt: date("CreatedDate"), updatedAt: date("LastModifiedDate"))
    }

    static func comment(from record: JSONValue, integrationUserID: String?) -> TicketComment {
        let author: TicketComment.Author = record["CreatedById"]?.stringValue == integrationUserID ? .integration : .agent
        return TicketComment(id: record["Id"]?.stringValue ?? "", body: record["CommentBody"]?.stringValue ?? "",
                             isPublic: record["IsPublished"] == .bool(true), author: author,
                             createdAt: record["CreatedDate"]?.stringValue.flatMap(SalesforceDateTime.parse) ?? Date(timeIntervalSince1970: 0))
    }
}
