import ConnectorKit
import Foundation

/// Ticketing on Salesforce Cases and CaseComments. Creation is idempotent per key, on a stock org
/// (see ``CaseCreation``).
struct CaseTicketing: Ticketing {
    /// The `ticketing` section, typed; every default is the schema's (``defaults``).
    struct Settings: Sendable, Hashable {
        var caseOrigin: String
        /// An External ID text field on Case that receives each request's Idempotency-Key (creation
        /// becomes an upsert by it); nil on a stock org, where the key is kept by the host alone.
        var idempotencyField: String?
        /// Ticket field name → Salesforce field name.
        var fieldMapping: [String: String]
        var watchInterval: Duration
        /// Clock difference allowed between this host and Salesforce when an attempt's Case is
        /// looked for by its creation time.
        var matchSlack: Duration = .seconds(60)
        /// The longest one attempt can last when its end was not seen (the process stopped).
        var attemptWindow: Duration = .seconds(300)
        /// The Case Priority values the assistant may set.
        var priorities: [String]
        /// The Case Status values the assistant may set.
        var statuses: [String]
        /// Open a Case for an e-mail no Contact has (by `SuppliedEmail`, as web-to-case does).
        var allowUnknownRequesters: Bool
        /// Also watch the open Cases of the employees the connector synced, not only its own.
        var followsSyncedUsers: Bool

        /// Decodes the `ticketing` section of validated settings.
        init(section settings: SettingsObject) throws(ConnectorError) {
            caseOrigin = try settings.requiredText("ticketing.case_origin")
            idempotencyField = settings.value(at: "ticketing.idempotency_field")?.stringValue
            fieldMapping = try settings.requiredStringMap("ticketing.fields")
            watchInterval = try settings.requiredDuration("ticketing.watch_interval")
            priorities = try settings.requiredStrings("ticketing.priorities")
            statuses = try settings.requiredStrings("ticketing.statuses")
            allowUnknownRequesters = try settings.requiredText("ticketing.unknown_requesters") == "supplied-email"
            followsSyncedUsers = try settings.requiredText("ticketing.follow") == "synced-users"
        }

        /// The schema's defaults.
        static var defaults: Settings { try! Settings(section: SalesforceModule().settings.defaults) }
    }

    let rest: SalesforceREST
    let auth: SalesforceJWTBearerAuth
    let context: ConnectorContext
    let settings: Settings
    /// Keys being created in this process (shared by the connector's features).
    var inFlight = InFlightKeys()
    /// Where the watcher reports how it fares (the connector's readiness checks).
    var health: HealthChecks? = nil

    static let caseFields = ["Id", "CaseNumber", "Subject", "Description", "Status", "Priority", "Origin", "IsClosed", "ContactId",
                             "SuppliedEmail", "CreatedDate", "LastModifiedDate"]

    // MARK: Create

    func createTicket(_ request: NewTicket) async throws -> Ticket {
        let key = request.idempotencyKey.trimmingCharacters(in: .whitespaces)
        guard !key.isEmpty, key.count <= 255 else { throw ConnectorError.invalidRequest("the Idempotency-Key must be 1…255 characters", field: "Idempotency-Key") }
        guard !request.subject.trimmingCharacters(in: .whitespaces).isEmpty else { throw ConnectorError.invalidRequest("subject is required", field: "subject") }
        guard request.subject.count <= 255 else { throw ConnectorError.invalidRequest("subject is at most 255 characters", field: "subject") }
        try Self.checkEmail(request.requesterEmail)
        if let priority = request.priority { try check(priority, among: settings.priorities, field: "priority", setting: "ticketing.priorities") }
        for name in request.fields.keys { _ = try salesforceField(name) }
        // The Case's fields are worked out (a Contact lookup) only when a Case is to be created, not
        // when the key already has one.
        let id = try await CaseCreation(rest: rest, auth: auth, context: context, settings: settings, inFlight: inFlight)
            .create(request, key: key) { try await caseFields(request) }
        return try await ticket(id: id)
    }

    /// A new Case's field values for `request`.
    /// - Throws: `invalidRequest` for a requester no Contact has (unless unknown requesters are allowed).
    func caseFields(_ request: NewTicket) async throws -> [JSONMember] {
        let contact = try await contactID(email: request.requesterEmail)
        guard contact != nil || settings.allowUnknownRequesters else {
            throw ConnectorError.invalidRequest("no Contact has the e-mail \(request.requesterEmail); sync the employee first, or set "
                                                + "ticketing.unknown_requesters: supplied-email to open Cases for unknown addresses", field: "requesterEmail")
        }
        var fields: [JSONMember] = [
            JSONMember("Subject", .string(request.subject)), JSONMember("Origin", .string(settings.caseOrigin)),
            JSONMember("SuppliedEmail", .string(request.requesterEmail)),
        ]
        if let description = request.description { fields.append(JSONMember("Description", .string(description))) }
        if let priority = request.priority { fields.append(JSONMember("Priority", .string(priority))) }
        if let contact { fields.append(JSONMember("ContactId", .string(contact))) }
        for (name, value) in request.fields.sorted(by: { $0.key < $1.key }) {
            fields.append(JSONMember(try salesforceField(name), .string(value)))
        }
        return fields
    }

    /// The requester's Contact: from the host's synced users (this connector's), else by SOQL.
    func contactID(email: String) async throws -> String? {
        if let known = try? await context.users.users(email: email).first(where: { $0.connector == context.connectorName }) {
            return known.user.id
        }
        return try await rest.queryAll("SELECT Id FROM Contact WHERE Email = \(SOQLText.quote(email)) ORDER BY CreatedDate LIMIT 1").first?["Id"]?.stringValue
    }

    /// An e-mail address of the shape `local@domain`.
    static func checkEmail(_ email: String) throws {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: \.isWhitespace), email.count <= 80 else {
            throw ConnectorError.invalidRequest("requesterEmail '\(email)' is not an e-mail address", field: "requesterEmail")
        }
    }

    /// A picklist value the org accepts (as configured).
    func check(_ value: String, among allowed: [String], field: String, setting: String) throws {
        guard allowed.contains(value) else {
            throw ConnectorError.invalidRequest("\(field) must be one of: \(allowed.joined(separator: ", ")) (got '\(value)'; the org's values are set in \(setting))",
                                                field: field)
        }
    }

    func salesforceField(_ name: String) throws -> String {
        if let mapped = settings.fieldMapping[name] { return mapped }
        throw ConnectorError.invalidRequest("field '\(name)' is not in ticketing.fields (known: \(settings.fieldMapping.keys.sorted().joined(separator: ", ")))", field: name)
    }

    static func mapped(_ error: SalesforceAPIError) -> ConnectorError {
        // The org's setup, not the request: the integration user lacks an object permission.
        if error.isMissingPermission {
            return .unauthorized("the integration user may not do this in Salesforce (\(error.errorCode): \(error.message)); grant the object permission "
                                 + "to its permission set — switchboard doctor names the missing one", httpStatus: error.status)
        }
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
        if let status = update.status {
            try check(status, among: settings.statuses, field: "status", setting: "ticketing.statuses")
            fields.append(JSONMember("Status", .string(status)))
        }
        if let priority = update.priority {
            try check(priority, among: settings.priorities, field: "priority", setting: "ticketing.priorities")
            fields.append(JSONMember("Priority", .string(priority)))
        }
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

    /// Polls on `watch_interval` until shutdown; a failing poll is retried on its own (see
    /// ``ScheduledWork``) and reported `degraded` as the `ticket-watch` check.
    func watchChanges() async throws {
        let watcher = CaseWatcher(rest: rest, auth: auth, context: context, followsSyncedUsers: settings.followsSyncedUsers)
        await ScheduledWork(name: "ticket watch", check: "ticket-watch", interval: settings.watchInterval, context: context, health: health,
                            isPause: SalesforceConnection.isPause).run {
            let emitted = try await watcher.poll()
            if emitted > 0 { context.logger.info("ticket events", metadata: ["emitted": "\(emitted)"]) }
            return "following Case changes every \(DurationFormat.format(settings.watchInterval))"
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
