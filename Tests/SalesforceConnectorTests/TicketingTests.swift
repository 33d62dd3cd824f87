import ConnectorKit
import Foundation
@testable import SalesforceConnector
import SalesforceSandbox
import SwitchboardHost
import Testing

/// Ticketing against the sandbox: idempotent creation (also when the first answer never came),
/// reading, changing, commenting, listing, and watching the simulated agent's work.
@Suite("Ticketing against the sandbox", .serialized)
struct TicketingTests {
    struct Rig: Sendable {
        let sandbox: SalesforceSandbox
        let store: SQLiteStore
        let ticketing: CaseTicketing
        let watcher: CaseWatcher
        let email: String
    }

    /// The org's custom fields in these tests: the category the assistant may set; with an
    /// idempotency field, that field too (a text field marked External ID).
    static func configuration(cases: Int, idempotencyField: String?) -> SandboxConfiguration {
        var configuration = SandboxFixture.configuration(contacts: 20, cases: cases)
        configuration.customFields = [CustomField(object: "Case", name: "Category__c", type: .picklist)]
        if let idempotencyField { configuration.customFields.append(CustomField(object: "Case", name: idempotencyField, isExternalID: true)) }
        return configuration
    }

    static func withRig(attemptTimeout: Duration = .seconds(10), cases: Int = 40, idempotencyField: String? = nil, allowUnknownRequesters: Bool = false,
                        followsSyncedUsers: Bool = true, _ body: @Sendable (Rig) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "switchboard-tickets-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await SalesforceSandbox.withRunning(configuration: configuration(cases: cases, idempotencyField: idempotencyField)) { sandbox in
            let transport = SandboxFixture.transport(maxAttempts: 2, attemptTimeout: attemptTimeout)
            let auth = try SandboxFixture.auth(await sandbox.baseURL(), transport: transport)
            let store = try SQLiteStore(path: directory + "/state.db")
            let context = ConnectorContext(connectorName: "sf", vault: CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: "/", environment: [:])),
                                           http: transport, store: store, sink: store, events: store, users: store, handoffs: store, logger: SandboxFixture.quiet)
            let rest = SalesforceREST(auth: auth, http: transport, apiVersion: "62.0", connector: "sf")
            var settings = CaseTicketing.Settings.defaults
            settings.idempotencyField = idempotencyField
            settings.fieldMapping = ["category": "Category__c"]
            settings.allowUnknownRequesters = allowUnknownRequesters
            let ticketing = CaseTicketing(rest: rest, auth: auth, context: context, settings: settings)
            guard case .string(let email) = sandbox.org.records("Contact")[3]["Email"] else { Issue.record("no email"); return }
            do {
                try await body(Rig(sandbox: sandbox, store: store, ticketing: ticketing, watcher: CaseWatcher(rest: rest, auth: auth, context: context, followsSyncedUsers: followsSyncedUsers),
                                   email: email))
            } catch {
                try? await transport.shutdown()
                throw error
            }
            try await transport.shutdown()
        }
    }

    /// The sandbox's Cases with this subject.
    static func cases(_ sandbox: SalesforceSandbox, subject: String) -> [SandboxRecord] {
        sandbox.org.records("Case").filter { $0["Subject"] == .string(subject) && !$0.isDeleted }
    }

    @Test func createReadChangeCommentList() async throws {
        try await Self.withRig { rig in
            let request = NewTicket(requesterEmail: rig.email, subject: "Laptop will not boot after the update", description: "Black screen since Monday",
                                    priority: "High", fields: ["category": "Hardware"], idempotencyKey: "k-1")
            let ticket = try await rig.ticketing.createTicket(request)
            #expect(ticket.subject == "Laptop will not boot after the update" && ticket.status == "New" && ticket.priority == "High" && ticket.origin == "Chat")
            #expect(ticket.requester.externalId == rig.sandbox.org.records("Contact")[3].id, "ContactId resolved from the email")
            #expect(ticket.fields["category"] == "Hardware" && ticket.number != nil)

            let again = try await rig.ticketing.createTicket(request)
            #expect(again.id == ticket.id && Self.cases(rig.sandbox, subject: "Laptop will not boot after the update").count == 1, "the same key never makes a second Case")
            var different = request
            different.subject = "Something else"
            let conflict = await #expect(throws: ConnectorError.self) { try await rig.ticketing.createTicket(different) }
            #expect(conflict?.code == .conflict)

            let comment = try await rig.ticketing.addComment(ticketId: ticket.id, body: "It also smells of smoke.", isPublic: true)
            #expect(comment.author == .integration)
            let changed = try await rig.ticketing.updateTicket(id: ticket.id, TicketUpdate(status: "Escalated", priority: nil, fields: [:]))
            #expect(changed.status == "Escalated" && changed.comments.map(\.body) == ["It also smells of smoke."])
            let open = try await rig.ticketing.tickets(requesterEmail: rig.email, state: .open)
            #expect(open.contains { $0.id == ticket.id })
            let unknownField = await #expect(throws: ConnectorError.self) {
                try await rig.ticketing.updateTicket(id: ticket.id, TicketUpdate(status: nil, priority: nil, fields: ["nope": "x"]))
            }
            #expect(unknownField?.code == .invalidRequest)
            let missing = await #expect(throws: ConnectorError.self) { try await rig.ticketing.ticket(id: "500SBX999999999AAA") }
            #expect(missing?.code == .notFound)
        }
    }

    /// The ways an attempt can end without saying whether the Case was made: the sandbox creates
    /// it, then answers 500 / 502 / 504 (the platform or a proxy), drops the connection, or stalls past
    /// the timeout.
    static let ambiguousOutcomes: [(String, FaultRule)] = [
        ("500 after creating", FaultRule(path: "/services/data/v62.0/sobjects/Case", statusAfter: 500, times: 1)),
        ("502 after creating", FaultRule(path: "/services/data/v62.0/sobjects/Case", statusAfter: 502, times: 1)),
        ("504 after creating", FaultRule(path: "/services/data/v62.0/sobjects/Case", statusAfter: 504, times: 1)),
        ("connection dropped after the request", FaultRule(path: "/services/data/v62.0/sobjects/Case", dropAfterBytes: 0, times: 1)),
        ("timed out after creating", FaultRule(path: "/services/data/v62.0/sobjects/Case", delayAfterMs: 2000, times: 1)),
    ]

    /// On a stock org (no custom field for the key): whatever the ambiguous outcome, retrying with
    /// the same key returns the Case the first attempt made, and the org holds exactly one.
    @Test(arguments: 0..<5)
    func stockOrgOneCasePerKeyWhenTheOutcomeWasUnknown(_ index: Int) async throws {
        let (name, fault) = Self.ambiguousOutcomes[index]
        try await Self.withRig(attemptTimeout: .milliseconds(500)) { rig in
            #expect(rig.sandbox.org.schema(named: "Case")?.field("Switchboard_Key__c") == nil, "a stock Case schema")
            rig.sandbox.faults.add(fault)
            let subject = "VPN down (\(name))"
            let request = NewTicket(requesterEmail: rig.email, subject: subject, priority: "High", idempotencyKey: "k-\(index)")
            let first = await #expect(throws: ConnectorError.self, "\(name)") { try await rig.ticketing.createTicket(request) }
            #expect(first?.code == .unavailable, "\(name): the outcome is unknown, retry with the key")
            #expect(Self.cases(rig.sandbox, subject: subject).count == 1, "\(name): Salesforce did create it")
            let retried = try await rig.ticketing.createTicket(request)
            #expect(Self.cases(rig.sandbox, subject: subject).map(\.id) == [retried.id], "\(name): found, not created again")
            #expect(try await rig.ticketing.createTicket(request).id == retried.id)
        }
    }

    /// With an External ID field for the key, creation is an upsert by it: safe to repeat whatever
    /// the outcome, one Case per key, the key in the field.
    @Test(arguments: 0..<5)
    func externalIDFieldOneCasePerKeyWhenTheOutcomeWasUnknown(_ index: Int) async throws {
        let (name, fault) = Self.ambiguousOutcomes[index]
        try await Self.withRig(attemptTimeout: .milliseconds(500), idempotencyField: "Switchboard_Key__c") { rig in
            rig.sandbox.faults.add(fault)
            let subject = "Printer offline (\(name))"
            let request = NewTicket(requesterEmail: rig.email, subject: subject, idempotencyKey: "key/\(index) with spaces")
            let first = try? await rig.ticketing.createTicket(request)
            let second = try await rig.ticketing.createTicket(request)
            let cases = Self.cases(rig.sandbox, subject: subject)
            #expect(cases.map(\.id) == [second.id], "\(name): one Case")
            #expect(first == nil || first?.id == second.id)
            #expect(cases.first?["Switchboard_Key__c"] == .string("key/\(index) with spaces"))
        }
    }

    /// The same request sent twice on purpose, under two keys: two Cases — the second key's
    /// ambiguous attempt is matched to its own Case, never to the one the first key owns.
    @Test func aCaseOwnedByAnotherKeyIsNotTaken() async throws {
        try await Self.withRig { rig in
            let a = NewTicket(requesterEmail: rig.email, subject: "Monitor flickers", idempotencyKey: "k-a")
            var b = a
            b.idempotencyKey = "k-b"
            let first = try await rig.ticketing.createTicket(a)
            rig.sandbox.faults.add(FaultRule(path: "/services/data/v62.0/sobjects/Case", statusAfter: 500, times: 1))
            await #expect(throws: ConnectorError.self) { try await rig.ticketing.createTicket(b) }
            let second = try await rig.ticketing.createTicket(b)
            #expect(second.id != first.id)
            #expect(Set(Self.cases(rig.sandbox, subject: "Monitor flickers").map(\.id)) == [first.id, second.id])
        }
    }

    /// A 4xx proves nothing was made: the key is free again, and a corrected retry creates the Case.
    @Test func aRefusedCreationFreesTheKey() async throws {
        try await Self.withRig { rig in
            rig.sandbox.faults.add(FaultRule(path: "/services/data/v62.0/sobjects/Case", status: 400, times: 1,
                                             body: #"[{"message":"Subject: bad value","errorCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION","fields":["Subject"]}]"#))
            let request = NewTicket(requesterEmail: rig.email, subject: "Keyboard", idempotencyKey: "k-400")
            let refused = await #expect(throws: ConnectorError.self) { try await rig.ticketing.createTicket(request) }
            #expect(refused?.code == .invalidRequest)
            #expect(Self.cases(rig.sandbox, subject: "Keyboard").isEmpty)
            _ = try await rig.ticketing.createTicket(request)
            #expect(Self.cases(rig.sandbox, subject: "Keyboard").count == 1)
        }
    }

    /// The requester is looked up among the users the host synced first; SOQL only when unknown.
    @Test func requesterComesFromTheSyncedUsersFirst() async throws {
        try await Self.withRig(allowUnknownRequesters: true) { rig in
            let synced = rig.sandbox.org.records("Contact")[5].id  // deliberately not the contact SOQL would find
            try await rig.store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [
                .user(UserRecord(id: synced, email: rig.email.uppercased(), firstName: nil, lastName: nil, modifiedAt: Date())),
            ], checkpoint: nil))
            let ticket = try await rig.ticketing.createTicket(NewTicket(requesterEmail: rig.email, subject: "Mouse", idempotencyKey: "k-dir"))
            #expect(ticket.requester.externalId == synced)
            let unknown = try await rig.ticketing.createTicket(NewTicket(requesterEmail: "nobody@acme.example", subject: "?", idempotencyKey: "k-none"))
            #expect(unknown.requester.externalId == nil, "no such contact: the Case has no ContactId, SuppliedEmail keeps the address")
            #expect(unknown.requester.email == "nobody@acme.example")
        }
    }

    /// Ticket input is checked before anything is sent: picklist values, the e-mail's shape, a
    /// requester no Contact has (unless unknown requesters are allowed), the subject's length.
    @Test func ticketInputIsValidated() async throws {
        try await Self.withRig { rig in
            func refused(_ request: NewTicket) async -> ConnectorError? {
                await #expect(throws: ConnectorError.self) { try await rig.ticketing.createTicket(request) }
            }
            let bogus = await refused(NewTicket(requesterEmail: rig.email, subject: "x", priority: "Bogus", idempotencyKey: "v-1"))
            #expect(bogus?.code == .invalidRequest && bogus?.field == "priority" && bogus?.message.contains("High, Medium, Low") == true)
            let unknown = await refused(NewTicket(requesterEmail: "nobody@acme.example", subject: "x", idempotencyKey: "v-2"))
            #expect(unknown?.code == .invalidRequest && unknown?.field == "requesterEmail" && unknown?.message.contains("unknown_requesters") == true)
            let notAnAddress = await refused(NewTicket(requesterEmail: "not an e-mail", subject: "x", idempotencyKey: "v-3"))
            #expect(notAnAddress?.field == "requesterEmail")
            let long = await refused(NewTicket(requesterEmail: rig.email, subject: String(repeating: "s", count: 256), idempotencyKey: "v-4"))
            #expect(long?.field == "subject")
            #expect(rig.sandbox.org.records("Case").allSatisfy { $0["Subject"] != .string("x") }, "nothing was created")
            let ticket = try await rig.ticketing.createTicket(NewTicket(requesterEmail: rig.email, subject: "Valid", idempotencyKey: "v-5"))
            let badStatus = await #expect(throws: ConnectorError.self) {
                try await rig.ticketing.updateTicket(id: ticket.id, TicketUpdate(status: "Teleported", priority: nil, fields: [:]))
            }
            #expect(badStatus?.field == "status")
        }
    }

    /// A key that already made its Case returns it without working out the fields again: the
    /// requester's Contact has gone meanwhile, and the replay still answers with the Case.
    @Test func aReplayedKeyReturnsItsCaseWithoutLookingAgain() async throws {
        try await Self.withRig { rig in
            let request = NewTicket(requesterEmail: rig.email, subject: "Replay me", idempotencyKey: "k-replay")
            let first = try await rig.ticketing.createTicket(request)
            try rig.sandbox.org.delete("Contact", id: rig.sandbox.org.records("Contact")[3].id)
            #expect(try await rig.ticketing.createTicket(request).id == first.id)
        }
    }

    @Test func watchingReportsTheAgentsWork() async throws {
        try await Self.withRig { rig in
            #expect(try await rig.watcher.poll() == 0, "the first poll only sets the cursors")
            let ticket = try await rig.ticketing.createTicket(NewTicket(requesterEmail: rig.email, subject: "Printer jam", idempotencyKey: "k-w"))
            _ = try await rig.ticketing.addComment(ticketId: ticket.id, body: "Our own comment is not news", isPublic: true)
            #expect(try await rig.watcher.poll() == 0)
            rig.sandbox.agentStep()  // Working, plus a public reply from the agent
            #expect(try await rig.watcher.poll() == 2)
            let events = try await rig.store.events(after: 0)
            #expect(events.map(\.type) == ["ticket.status_changed", "ticket.comment_added"])
            #expect(events[0].payload.contains(#""from":"New""#) && events[0].payload.contains(#""to":"Working""#))
            #expect(events[1].payload.contains("Avery from IT support") && events[1].payload.contains(#""author":"agent""#))
            #expect(try await rig.watcher.poll() == 0, "nothing twice")
        }
    }

    /// Employees' Cases opened by e-mail, web or phone change too: the watcher follows the open Cases of
    /// the Contacts user-ingestion synced (not of anyone else), from their first change, until closed.
    @Test(arguments: [true, false])
    func watchingFollowsTheSyncedEmployeesCases(follow: Bool) async throws {
        try await Self.withRig(followsSyncedUsers: follow) { rig in
            let contacts = rig.sandbox.org.records("Contact")
            let synced = contacts[3], stranger = contacts[5]
            guard case .string(let email) = synced["Email"] else { Issue.record("no email"); return }
            _ = try await rig.store.commit(RecordBatch(connector: "sf", stream: .users, upserts: [
                .user(UserRecord(id: synced.id, email: email, firstName: "Syn", lastName: "Ced", fields: [:], modifiedAt: Date())),
            ], checkpoint: nil))
            #expect(try await rig.watcher.poll() == 0, "the first poll only sets the cursors")
            let agent = "005SBX000000777AAA"
            let mine = try rig.sandbox.org.insert("Case", values: ["Subject": .string("Laptop (by e-mail)"), "Status": .string("New"), "Origin": .string("Email"),
                                                                   "ContactId": .string(synced.id)], by: agent)
            _ = try rig.sandbox.org.insert("Case", values: ["Subject": .string("Someone else's"), "Status": .string("New"), "Origin": .string("Web"),
                                                            "ContactId": .string(stranger.id)], by: agent)
            #expect(try await rig.watcher.poll() == (follow ? 1 : 0))
            try rig.sandbox.org.update("Case", id: mine, values: ["Status": .string("Working")])
            _ = try rig.sandbox.org.insert("CaseComment", values: ["ParentId": .string(mine), "CommentBody": .string("We are on it"),
                                                                   "IsPublished": .bool(true)], by: agent)
            #expect(try await rig.watcher.poll() == (follow ? 2 : 0))
            try rig.sandbox.org.update("Case", id: mine, values: ["Status": .string("Closed")])
            #expect(try await rig.watcher.poll() == (follow ? 1 : 0))
            #expect(try await rig.watcher.poll() == 0, "nothing twice")
            let events = try await rig.store.events(after: 0)
            guard follow else { return #expect(events.isEmpty) }
            #expect(events.map(\.type) == ["ticket.status_changed", "ticket.status_changed", "ticket.comment_added", "ticket.status_changed"])
            #expect(events.allSatisfy { $0.payload.contains(mine) } && events[0].payload.contains(email) && events[0].payload.contains(#""to":"New""#))
            #expect(events[1].payload.contains(#""from":"New""#) && events[3].payload.contains(#""to":"Closed""#))
            #expect(try await rig.store.moduleState(connector: "sf", key: CaseWatcher.followedKey(mine)) == nil, "a closed Case is no longer kept")
        }
    }

    /// A fresh org has no Case and no CaseComment yet: the watcher's cursors start before every row
    /// and its queries never send an empty Id literal (`Id > ''`, refused by a real org), so polling
    /// works at once and the agent's first reply is reported.
    @Test func watchingAFreshOrgWithNoCasesYet() async throws {
        try await Self.withRig(cases: 0) { rig in
            #expect(rig.sandbox.org.records("Case").isEmpty && rig.sandbox.org.records("CaseComment").isEmpty)
            #expect(try await rig.watcher.poll() == 0)
            #expect(try await rig.watcher.poll() == 0, "polling again from the origin cursor")
            _ = try await rig.ticketing.createTicket(NewTicket(requesterEmail: rig.email, subject: "First ever", idempotencyKey: "k-fresh"))
            rig.sandbox.agentStep()
            #expect(try await rig.watcher.poll() == 2)
            #expect(try await rig.store.events(after: 0).map(\.type) == ["ticket.status_changed", "ticket.comment_added"])
        }
    }

    /// An agent's draft comment is published by a transaction stamped in the second the watcher's
    /// cursor already passed (with a lower Id than the cursor's row): the next poll reports it,
    /// once; reading the overlap again reports nothing twice.
    @Test func aLateCommitBehindTheWatchersCursorIsReported() async throws {
        try await Self.withRig { rig in
            _ = try await rig.watcher.poll()
            let ticket = try await rig.ticketing.createTicket(NewTicket(requesterEmail: rig.email, subject: "Badge", idempotencyKey: "k-late"))
            let agent = "005SBX000000777AAA"
            let draft = try rig.sandbox.org.insert("CaseComment", values: ["ParentId": .string(ticket.id), "CommentBody": .string("Draft reply"),
                                                                           "IsPublished": .bool(false)], by: agent)
            let note = try rig.sandbox.org.insert("CaseComment", values: ["ParentId": .string(ticket.id), "CommentBody": .string("Internal note"),
                                                                          "IsPublished": .bool(false)], by: agent)
            #expect(try await rig.watcher.poll() == 0, "unpublished comments are not news")
            guard case .dateTime(let stamp) = rig.sandbox.org.record(id: note)!["SystemModstamp"] else { Issue.record("no stamp"); return }
            try rig.sandbox.org.commitLate("CaseComment", id: draft, values: ["IsPublished": .bool(true)], stampedAt: stamp)
            #expect(try await rig.watcher.poll() == 1)
            #expect(try await rig.watcher.poll() == 0)
            let events = try await rig.store.events(after: 0)
            #expect(events.filter { $0.type == "ticket.comment_added" }.count == 1)
            #expect(events.last?.payload.contains("Draft reply") == true)
        }
    }
}
