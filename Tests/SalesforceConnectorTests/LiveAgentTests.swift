import ConnectorKit
import Foundation
import SalesforceConnector
import SalesforceSandbox
import SwitchboardHost
import Testing

/// Live-agent handoffs against the sandbox's Enhanced Messaging deployment: the scripted agent end
/// to end, a stream dropped mid-event (with and without replay after `Last-Event-Id`), an access
/// token expiring mid-conversation, a restart while the agent writes, and verification JWTs the
/// sandbox refuses — each agent message delivered exactly once (asserted on entry ids).
@Suite("Live agent over Enhanced Messaging against the sandbox", .serialized)
struct LiveAgentTests {
    static let request = HandoffRequest(employeeId: "emp-42", email: "ada@acme.example", firstName: "Ada", lastName: "Lovelace",
                                        topic: "Access", summary: "Ada cannot reach the finance share since this morning.",
                                        attributes: ["Case_Number": "00001234"])

    static func agentMessageIds(_ events: [(type: String, entryId: String, payload: String)]) -> [String] {
        events.filter { $0.type == "handoff.agent_message" }.map(\.entryId)
    }

    @Test func scriptedAgentFromQueueToEnd() async throws {
        try await LiveAgentRig.withSandbox(messaging: try LiveAgentRig.messaging(script: LiveAgentRig.quickScript)) { sandbox in
            let rig = try await LiveAgentRig.make(sandbox: sandbox)
            defer { Task { await rig.finish() } }
            try await rig.running { liveAgent, _ in
                let refused = await #expect(throws: ConnectorError.self) {
                    var wrong = Self.request
                    wrong.topic = "Plumbing"
                    _ = try await liveAgent.startHandoff(wrong)
                }
                #expect(refused?.code == .invalidRequest && refused?.message.contains("Hardware, Software, Access") == true)

                let handoff = try await liveAgent.startHandoff(Self.request)
                #expect(handoff.conversationId == handoff.conversationId.lowercased() && UUID(uuidString: handoff.conversationId) != nil)
                try await rig.waitForEvents(handoff.id, "three agent replies") { Self.agentMessageIds($0).count == 3 }
                let view = try #require(sandbox.messaging.view(conversationId: handoff.conversationId))
                #expect(view.endUser.hasSuffix("uid:emp-42") && view.endUser.contains("/AUTH/"))
                #expect(view.routingAttributes["User_Id__c"] == "emp-42" && view.routingAttributes["Issue_Topic__c"] == "Access")
                #expect(view.routingAttributes["Case_Number"] == "00001234" && view.routingAttributes["_firstName"] == "Ada")
                #expect(view.endUserMessages.first?.text == Self.request.summary, "the summary is the first message")

                try await liveAgent.sendMessage(handoffId: handoff.id, text: "Yes, I still need it.")
                try await rig.waitForEvents(handoff.id, "the agent ending the session") { $0.contains { $0.type == "handoff.ended_by_agent" } }
                let events = try await rig.events(handoff.id)
                let types = events.map(\.type)
                #expect(types.first == "handoff.queued" && events[0].payload.contains("\"estimatedWaitSeconds\":30"))
                #expect(types.contains("handoff.agent_joined") && types.contains("handoff.typing_started") && types.contains("handoff.agent_left"))
                #expect(Self.agentMessageIds(events) == sandbox.messaging.view(conversationId: handoff.conversationId)!.agentMessageIds)
                #expect(Set(events.map(\.entryId)).count == events.count, "each entry once")
                let ownIds = Set(sandbox.messaging.view(conversationId: handoff.conversationId)!.endUserMessages.map(\.id))
                #expect(ownIds.count == 2 && ownIds.isDisjoint(with: events.map(\.entryId)), "the employee's echoes are never forwarded")
                #expect(try await rig.store.handoff(id: handoff.id)?.status == .ended)

                // The session is over: a new message gets 417 and is resent opening a new session.
                try await liveAgent.sendMessage(handoffId: handoff.id, text: "One more thing…")
                let reopened = try #require(sandbox.messaging.view(conversationId: handoff.conversationId))
                #expect(reopened.endUserMessages.last?.session == 2 && reopened.sessionOpen)
                try await rig.waitForEvents(handoff.id, "routing again") { $0.filter { $0.type == "handoff.queued" }.count == 2 }

                try await liveAgent.endHandoff(handoffId: handoff.id)
                #expect(sandbox.messaging.view(conversationId: handoff.conversationId)?.closed == true)
                try await rig.waitForEvents(handoff.id, "closed") { $0.contains { $0.type == "handoff.closed" } }
                #expect(try await rig.events(handoff.id).filter { $0.type == "handoff.closed" }.count == 1)
                let over = await #expect(throws: ConnectorError.self) { try await liveAgent.sendMessage(handoffId: handoff.id, text: "hello?") }
                #expect(over?.code == .conflict)
            }
        }
    }

    @Test func routingFailureIsReported() async throws {
        try await LiveAgentRig.withSandbox(messaging: try LiveAgentRig.messaging(script: LiveAgentRig.quickScript)) { sandbox in
            let rig = try await LiveAgentRig.make(sandbox: sandbox)
            defer { Task { await rig.finish() } }
            try await rig.running { liveAgent, _ in
                var request = Self.request
                request.topic = "Unroutable"
                let handoff = try await liveAgent.startHandoff(request)
                try await rig.waitForEvents(handoff.id, "routing failure") { $0.contains { $0.type == "handoff.routing_failed" } }
                let failed = try await rig.events(handoff.id).first { $0.type == "handoff.routing_failed" }!
                #expect(failed.payload.contains("No queue accepts work for topic Unroutable"))
                #expect(try await rig.store.handoff(id: handoff.id)?.endReason?.hasPrefix("routing failed") == true)
            }
        }
    }

    @Test(arguments: [true, false])
    func streamDroppedMidEventLosesAndRepeatsNothing(replay: Bool) async throws {
        try await LiveAgentRig.withSandbox(messaging: try LiveAgentRig.messaging(script: nil, replay: replay)) { sandbox in
            let rig = try await LiveAgentRig.make(sandbox: sandbox)
            defer { Task { await rig.finish() } }
            // The first stream connection is cut inside its first event (after the 13-byte ": connected" comment).
            sandbox.faults.add(FaultRule(path: "/eventrouter/v1/sse", dropAfterBytes: 13 + 200, times: 1))
            try await rig.running { liveAgent, _ in
                let handoff = try await liveAgent.startHandoff(Self.request)
                try await LiveAgentRig.eventually("the stream to connect") { sandbox.org.stats.requestsByRoute["GET /eventrouter/v1/sse", default: 0] >= 1 }
                let id = handoff.conversationId
                sandbox.messaging.routingResult(conversationId: id, estimatedWaitSeconds: 12)
                sandbox.messaging.agentParticipant(conversationId: id, name: "Dana", joins: true)
                for n in 1...3 { sandbox.messaging.agentMessage(conversationId: id, text: "reply \(n)", name: "Dana") }
                try await rig.waitForEvents(handoff.id, "three replies after the reconnect") { Self.agentMessageIds($0).count == 3 }
                // The replies may come from the history backfill before the second connection is made.
                try await LiveAgentRig.eventually("the stream to reconnect") { sandbox.org.stats.requestsByRoute["GET /eventrouter/v1/sse", default: 0] >= 2 }
                for n in 4...5 { sandbox.messaging.agentMessage(conversationId: id, text: "reply \(n)", name: "Dana") }
                try await rig.waitForEvents(handoff.id, "five replies") { Self.agentMessageIds($0).count == 5 }
                try await Task.sleep(for: .milliseconds(400))
                let events = try await rig.events(handoff.id)
                #expect(Self.agentMessageIds(events) == sandbox.messaging.view(conversationId: id)!.agentMessageIds, "in order, once each")
                #expect(events.filter { $0.type == "handoff.queued" }.count == 1 && events.filter { $0.type == "handoff.agent_joined" }.count == 1)
                let texts = events.filter { $0.type == "handoff.agent_message" }.map(\.payload)
                #expect(texts.enumerated().allSatisfy { $1.contains("reply \($0 + 1)") })
            }
        }
    }

    /// A session that ends is told apart by who ended it — the agent, the employee, inactivity —
    /// and in each case a new message from the employee opens a new session.
    @Test(arguments: [(MessagingOrg.SessionEnd.agent, "handoff.ended_by_agent", "ended by the agent"),
                      (.endUser, "handoff.session_ended", "ended by the employee"), (.inactivity, "handoff.session_ended", "the session timed out")])
    func whoEndedTheSessionIsSaid(ender: MessagingOrg.SessionEnd, type: String, reason: String) async throws {
        try await LiveAgentRig.withSandbox(messaging: try LiveAgentRig.messaging(script: nil)) { sandbox in
            let rig = try await LiveAgentRig.make(sandbox: sandbox)
            defer { Task { await rig.finish() } }
            try await rig.running { liveAgent, _ in
                let handoff = try await liveAgent.startHandoff(Self.request)
                let id = handoff.conversationId
                sandbox.messaging.routingResult(conversationId: id, estimatedWaitSeconds: 5)
                sandbox.messaging.agentParticipant(conversationId: id, name: "Dana", joins: true)
                sandbox.messaging.endSession(conversationId: id, by: ender, agentName: "Dana")
                try await rig.waitForEvents(handoff.id, "the session's end") { $0.contains { $0.type == type } }
                let ended = try await rig.store.handoff(id: handoff.id)
                #expect(ended?.status == .ended && ended?.endReason == reason)
                if ender != .agent {
                    let payload = try await rig.events(handoff.id).first { $0.type == type }?.payload ?? ""
                    #expect(payload.contains(ender == .endUser ? "employee" : "timeout"), "\(payload)")
                }
                try await liveAgent.sendMessage(handoffId: handoff.id, text: "one more thing")
                #expect(sandbox.messaging.view(conversationId: id)?.sessionOpen == true, "the message opened a new session")
            }
        }
    }

    @Test func twentyEmployeesEachHaveTheirOwnStream() async throws {
        try await LiveAgentRig.withSandbox(messaging: try LiveAgentRig.messaging(script: nil)) { sandbox in
            let rig = try await LiveAgentRig.make(sandbox: sandbox)
            defer { Task { await rig.finish() } }
            try await rig.running { liveAgent, _ in
                let handoffs = try await withThrowingTaskGroup(of: Handoff.self) { group in
                    for n in 1...20 {
                        group.addTask {
                            var request = Self.request
                            request.employeeId = "emp-\(n)"
                            request.summary = nil
                            return try await liveAgent.startHandoff(request)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                try await LiveAgentRig.eventually("twenty streams") { sandbox.org.stats.requestsByRoute["GET /eventrouter/v1/sse", default: 0] >= 20 }
                for handoff in handoffs { sandbox.messaging.agentMessage(conversationId: handoff.conversationId, text: "hello \(handoff.employeeId)") }
                for handoff in handoffs {
                    try await rig.waitForEvents(handoff.id, "the reply to \(handoff.employeeId)") { Self.agentMessageIds($0).count == 1 }
                    let events = try await rig.events(handoff.id)
                    #expect(events.count == 1 && events[0].payload.contains("hello \(handoff.employeeId)\""), "only their own conversation's entry")
                }
            }
        }
    }

    @Test func aNextKeyIsPublishedBeforeItSigns() async throws {
        try await LiveAgentRig.withSandbox(messaging: try LiveAgentRig.messaging(script: nil)) { sandbox in
            let base = await sandbox.baseURL()
            let next = "      next_keys: [{ key_id: other-1, certificate: env:SF_NEXT_CERT }]"
            // Step 1: test-1 signs; other-1 is only published.
            let before = try await LiveAgentRig.make(sandbox: sandbox, yaml: LiveAgentRig.yaml(base: base, extra: next))
            defer { Task { await before.finish() } }
            let published = try await before.running { _, connector in try await connector.publishedKeys() }
            #expect(published.map(\.keyID) == ["test-1", "other-1"])
            #expect(published.allSatisfy { $0.certificateChain?.count == 1 && $0.algorithm == "RS256" && $0.string("use") == "sig" })
            #expect(try published[0].publicKey() == RSAPublicKey(privateKeyPEM: SandboxFixture.key.privateKeyPEM))
            #expect(try published[1].publicKey() == RSAPublicKey(certificate: SandboxFixture.otherKey.certificate))
            // The keyset reads what the host publishes (endpoint mode).
            try sandbox.messaging.setKeyset(uploadedKeys: published.map(\.json.description), jwksURL: base + "/__sandbox/messaging/jwks", issuer: LiveAgentRig.issuer)
            try await before.running { liveAgent, _ in _ = try await liveAgent.startHandoff(Self.request) }
            // Step 2: other-1 becomes the signing key — accepted at once, no new upload.
            let yaml = LiveAgentRig.yaml(base: base, keyID: "other-1").replacingOccurrences(of: "private_key: env:SF_TEST_KEY\n      routing", with: "private_key: env:SF_NEXT_KEY\n      routing")
            #expect(yaml.contains("env:SF_NEXT_KEY"))
            let after = try await LiveAgentRig.make(sandbox: sandbox, yaml: yaml)
            defer { Task { await after.finish() } }
            try await after.running { liveAgent, _ in
                var request = Self.request
                request.employeeId = "emp-43"
                _ = try await liveAgent.startHandoff(request)
            }
            #expect(sandbox.messaging.refusals.isEmpty)
        }
    }

    @Test func tokenExpiredMidConversationIsMintedAgain() async throws {
        try await LiveAgentRig.withSandbox(messaging: try LiveAgentRig.messaging(script: nil)) { sandbox in
            let rig = try await LiveAgentRig.make(sandbox: sandbox)
            defer { Task { await rig.finish() } }
            try await rig.running { liveAgent, _ in
                let handoff = try await liveAgent.startHandoff(Self.request)
                let id = handoff.conversationId
                try await LiveAgentRig.eventually("the stream to connect") { sandbox.org.stats.requestsByRoute["GET /eventrouter/v1/sse", default: 0] >= 1 }
                sandbox.messaging.agentMessage(conversationId: id, text: "first")
                try await rig.waitForEvents(handoff.id, "first reply") { Self.agentMessageIds($0).count == 1 }
                sandbox.messaging.expireAllTokens()
                // The stream is cut too, so its reconnect meets the expired token (401 → mint again).
                sandbox.faults.add(FaultRule(path: "/eventrouter/v1/sse", status: 401, times: 1))
                try await liveAgent.sendMessage(handoffId: handoff.id, text: "still there?")
                #expect(sandbox.messaging.view(conversationId: id)!.endUserMessages.map(\.text).last == "still there?")
                let requests = sandbox.org.stats.requestsByRoute["POST /iamessage/api/v2/authorization/authenticated/access-token", default: 0]
                #expect(requests == 2, "one new token after the 401")
                sandbox.messaging.agentMessage(conversationId: id, text: "second")
                sandbox.messaging.agentMessage(conversationId: id, text: "third")
                try await rig.waitForEvents(handoff.id, "three replies") { Self.agentMessageIds($0).count == 3 }
                #expect(Self.agentMessageIds(try await rig.events(handoff.id)) == sandbox.messaging.view(conversationId: id)!.agentMessageIds)
            }
        }
    }

    @Test func restartWhileTheAgentWritesDeliversEachMessageOnce() async throws {
        try await LiveAgentRig.withSandbox(messaging: try LiveAgentRig.messaging(script: nil)) { sandbox in
            let rig = try await LiveAgentRig.make(sandbox: sandbox)
            defer { Task { await rig.finish() } }
            let first = try await Self.startAndReceiveOne(rig)
            // The host is down: the agent keeps writing.
            for n in 2...4 { sandbox.messaging.agentMessage(conversationId: first.conversationId, text: "while down \(n)") }
            // A new connector instance over the same store resumes the open handoff.
            try await rig.running { _, connector in
                try await rig.waitForEvents(first.id, "the replies sent while down") { Self.agentMessageIds($0).count == 4 }
                sandbox.messaging.agentMessage(conversationId: first.conversationId, text: "after restart")
                try await rig.waitForEvents(first.id, "the reply after the restart") { Self.agentMessageIds($0).count == 5 }
                #expect(Self.agentMessageIds(try await rig.events(first.id)) == sandbox.messaging.view(conversationId: first.conversationId)!.agentMessageIds)
                #expect(await connector.check().checks.contains { $0.name == "live-agent" && $0.detail.hasPrefix("1 open handoffs") })
            }
        }
    }

    /// The stored stream position follows the relayed events (it used to stay at the first ones):
    /// after three replies it is the third reply's event id, and the newest entry's time.
    @Test func theStoredStreamPositionAdvancesAsEventsAreRelayed() async throws {
        try await LiveAgentRig.withSandbox(messaging: try LiveAgentRig.messaging(script: nil)) { sandbox in
            let rig = try await LiveAgentRig.make(sandbox: sandbox)
            defer { Task { await rig.finish() } }
            try await rig.running { liveAgent, _ in
                let handoff = try await liveAgent.startHandoff(Self.request)
                try await LiveAgentRig.eventually("the stream to connect") { sandbox.org.stats.requestsByRoute["GET /eventrouter/v1/sse", default: 0] >= 1 }
                var last = 0
                for n in 1...3 {
                    sandbox.messaging.agentMessage(conversationId: handoff.conversationId, text: "reply \(n)")
                    last = sandbox.messaging.latestEventId
                    try await rig.waitForEvents(handoff.id, "reply \(n)") { Self.agentMessageIds($0).count == n }
                    // The entry may first come from the history (no stream id); its stream event follows.
                    let expected = last
                    try await LiveAgentRig.eventually("the stored position at reply \(n)'s event") {
                        try await rig.store.handoff(id: handoff.id)?.lastEventId.flatMap { Int($0) } == expected
                    }
                    #expect(try await rig.store.handoff(id: handoff.id)?.lastEntryAt != nil)
                }
            }
        }
    }

    /// The agent writes 120 messages while the host is down, and the server does not replay the
    /// stream after Last-Event-Id: the history is read page by page (50 a page) back to the last
    /// relayed entry, so every message is relayed, once, in order.
    @Test func aLongAbsenceIsBackfilledPageByPage() async throws {
        try await LiveAgentRig.withSandbox(messaging: try LiveAgentRig.messaging(script: nil, replay: false)) { sandbox in
            let rig = try await LiveAgentRig.make(sandbox: sandbox)
            defer { Task { await rig.finish() } }
            let first = try await Self.startAndReceiveOne(rig)
            for n in 1...120 { sandbox.messaging.agentMessage(conversationId: first.conversationId, text: "while down \(n)") }
            try await rig.running { _, _ in
                try await rig.waitForEvents(first.id, "every reply sent while down") { Self.agentMessageIds($0).count == 121 }
                try await Task.sleep(for: .milliseconds(300))
                #expect(Self.agentMessageIds(try await rig.events(first.id)) == sandbox.messaging.view(conversationId: first.conversationId)!.agentMessageIds)
            }
        }
    }

    static func startAndReceiveOne(_ rig: LiveAgentRig) async throws -> Handoff {
        try await rig.running { liveAgent, _ in
            let handoff = try await liveAgent.startHandoff(Self.request)
            rig.sandbox.messaging.agentMessage(conversationId: handoff.conversationId, text: "before restart")
            try await rig.waitForEvents(handoff.id, "first reply") { Self.agentMessageIds($0).count == 1 }
            return handoff
        }
    }

    @Test(arguments: [
        ("kid", "wrong kid"), ("issuer", "wrong issuer"), ("expired", "expired"), ("jwks", "key not in JWKS"),
        ("signature", "bad signature"),
    ])
    func verificationRefusalsSayWhich(fault: String, expected: String) async throws {
        try await LiveAgentRig.withSandbox(messaging: try LiveAgentRig.messaging(script: nil)) { sandbox in
            let base = await sandbox.baseURL()
            if fault == "jwks" {
                // Endpoint mode: the keyset reads a JWKS that publishes another key only.
                try sandbox.messaging.setKeyset(uploadedKeys: [SandboxFixture.otherKey.jwk.json.description], jwksURL: base + "/__sandbox/messaging/jwks",
                                            issuer: LiveAgentRig.issuer)
            }
            if fault == "signature" {
                // The keyset's `test-1` holds another key's public half.
                let impostor = try JWK.rsa(certificate: SandboxFixture.otherKey.certificate, keyID: "test-1")
                try sandbox.messaging.setKeyset(uploadedKeys: [impostor.json.description], jwksURL: nil, issuer: LiveAgentRig.issuer)
            }
            let yaml = LiveAgentRig.yaml(base: base, keyID: fault == "kid" ? "not-uploaded-1" : "test-1",
                                         issuer: fault == "issuer" ? "https://elsewhere.test" : LiveAgentRig.issuer)
            let rig = try await LiveAgentRig.make(sandbox: sandbox, yaml: yaml)
            defer { Task { await rig.finish() } }
            let clock = fault == "expired"
                ? ConnectorClock(now: { Date().addingTimeInterval(-3600) }, sleep: { try await Task.sleep(for: $0) }) : ConnectorClock.system
            try await rig.running(clock: clock) { liveAgent, connector in
                let error = await #expect(throws: ConnectorError.self) { _ = try await liveAgent.startHandoff(Self.request) }
                #expect(error?.code == .unauthorized && error?.message.contains(expected) == true, "\(String(describing: error))")
                #expect(sandbox.messaging.refusals.first?.lowercased().contains(expected.lowercased()) == true, "\(sandbox.messaging.refusals)")
                #expect(sandbox.messaging.refusals.count == 1)
                // Readiness is the ability to serve, not the last request's outcome: the refusal is
                // shown (degraded), the connector stays ready.
                let report = await connector.check()
                #expect(report.status != .unhealthy, "\(report.checks)")
                #expect(report.checks.contains { $0.name == "live-agent" && $0.status == .degraded && $0.detail.contains(expected) })
                let open = try await rig.store.openHandoffs(connector: "sf")
                #expect(open.isEmpty, "no handoff without a token")
            }
        }
    }

    /// Salesforce is reported to answer a JWT it did not verify with HTTP 200 and a *guest* token:
    /// the sandbox can, and the connector reads the subject and refuses to hand a guest to an agent.
    @Test func aGuestTokenForARefusedJWTIsARefusal() async throws {
        var messaging = try LiveAgentRig.messaging(script: nil)
        messaging.guestTokenOnRefusal = true
        try await LiveAgentRig.withSandbox(messaging: messaging) { sandbox in
            let base = await sandbox.baseURL()
            let rig = try await LiveAgentRig.make(sandbox: sandbox, yaml: LiveAgentRig.yaml(base: base, keyID: "not-uploaded-1"))
            defer { Task { await rig.finish() } }
            try await rig.running { liveAgent, _ in
                let error = await #expect(throws: ConnectorError.self) { _ = try await liveAgent.startHandoff(Self.request) }
                #expect(error?.code == .unauthorized && error?.message.contains("guest") == true && error?.message.contains("/UNAUTH/") == true,
                        "\(String(describing: error))")
                #expect(sandbox.messaging.refusals.count == 1 && sandbox.messaging.conversationIds.isEmpty, "no conversation for a guest")
                let open = try await rig.store.openHandoffs(connector: "sf")
                #expect(open.isEmpty)
            }
            // Like the real endpoint, the sandbox wants every documented field of the request.
            let partial = try await rig.transport.send(.init(method: "POST", url: base + "/iamessage/api/v2/authorization/authenticated/access-token",
                headers: [("Content-Type", "application/json")], body: Array(#"{"orgId":"00DSBX000000001","esDeveloperName":"Support_API","capabilitiesVersion":"1","authorizationType":"JWT","customerIdentityToken":"x.y.z"}"#.utf8)))
            #expect(partial.status == 400 && String(decoding: partial.body, as: UTF8.self).contains("The platform field is required"))
        }
    }

    /// The keyset takes what Setup takes: one public RSA JWK with x5c valid for 10 more days.
    @Test func theKeysetRefusesKeysSetupWouldRefuse() async throws {
        try await LiveAgentRig.withSandbox(messaging: try LiveAgentRig.messaging(script: nil)) { sandbox in
            var jwk = SandboxFixture.key.jwk.members
            func text(_ members: [JSONMember]) -> String { JSONValue.object(members).description }
            let withoutCertificate = jwk.filter { $0.name != "x5c" }
            let privateToo = jwk + [JSONMember("d", .string("AQAB"))]
            let shortLived = try KeyGenerator.generate(bits: 2048, keyID: "short", subject: "CN=short", days: 5)
            for (key, expected) in [(text(withoutCertificate), "x5c"), (text(privateToo), "private members"), (shortLived.jwk.json.description, "10 more days"),
                                    (JSONValue.array([.object(jwk)]).description, "one JSON object per key")] {
                let refusal = #expect(throws: MessagingOrg.KeyRefused.self) {
                    try sandbox.messaging.setKeyset(uploadedKeys: [key], jwksURL: nil, issuer: LiveAgentRig.issuer)
                }
                #expect(refusal?.description.contains(expected) == true, "\(String(describing: refusal))")
            }
            jwk.removeAll { $0.name == "use" }
            #expect(KeyUploadRules.refusal(text: text(jwk)) == "use must be sig")
            #expect(KeyUploadRules.refusal(text: SandboxFixture.key.jwk.json.description) == nil)
        }
    }
}
