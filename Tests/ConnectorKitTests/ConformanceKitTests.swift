import ConnectorKit
import ConnectorKitTesting
import Foundation
import Testing

/// The conformance kit catches the mistakes it exists for: each planted mistake fails exactly its
/// check, and a correct module passes. A TODO feature is reported as not implemented, never as passing.
@Suite("Conformance kit")
struct ConformanceKitTests {
    static let config = """
        staff:
          module: roster
          features: [user-ingestion, ticketing]
          file: users.csv
          api_token: env:ROSTER_TOKEN
        """

    static func check(_ mistake: RosterModule.Mistake) async throws -> ConformanceReport {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write("users.csv", (1...7).map { "u\($0),user\($0)@acme.example,First\($0),Last\($0)" }.joined(separator: "\n"))
        var options = ConnectorConformance.Options()
        options.baseDirectory = folder.path
        options.stopTimeout = .seconds(1)
        do {
            return try await ConnectorConformance.check(RosterModule(mistake), config: config, options: options)
        } catch let failure as ConformanceFailure {
            return failure.report
        }
    }

    static func failed(_ report: ConformanceReport) -> Set<ConformanceCheck> { Set(report.failures.map(\.check)) }

    @Test func aCorrectModulePasses() async throws {
        let report = try await Self.check(.none)
        #expect(report.passed, "\(report)")
        #expect(report.results(for: .secretsStayHidden).first?.outcome.isFailure == false)
        guard case .passed? = report.results(for: .checkpointAfterWrite).first?.outcome else {
            Issue.record("the checkpoint check must run: \(report)")
            return
        }
    }

    @Test func aLoggedSecretFails() async throws {
        let report = try await Self.check(.logsSecret)
        #expect(Self.failed(report) == [.secretsStayHidden], "\(report)")
        #expect(!report.description.contains("CANARY"), "the report never shows the secret")
    }

    @Test func aCheckpointBeforeTheWriteFails() async throws {
        #expect(Self.failed(try await Self.check(.checkpointBeforeWrite)) == [.checkpointAfterWrite])
    }

    @Test func aSwallowedStoreErrorFails() async throws {
        #expect(Self.failed(try await Self.check(.swallowsStoreErrors)) == [.checkpointAfterWrite])
    }

    @Test func twoTicketsForOneKeyFail() async throws {
        #expect(Self.failed(try await Self.check(.ignoresIdempotency)) == [.ticketIdempotency])
    }

    @Test func ignoringShutdownAndCancellationFails() async throws {
        #expect(Self.failed(try await Self.check(.ignoresShutdown)) == [.gracefulShutdown, .cancellation])
    }

    @Test func aTodoFeatureIsReportedNotImplementedNotPassed() async throws {
        let report = try await Self.check(.ticketingTodo)
        #expect(report.passed)
        guard case .notImplemented(let detail)? = report.results(for: .ticketIdempotency).first?.outcome else {
            Issue.record("expected not implemented: \(report)")
            return
        }
        #expect(detail.contains("roster: ticketing.create is not implemented yet"))
    }

    @Test func anExampleThatDoesNotValidateIsAConfigError() async throws {
        await #expect(throws: (any Error).self) {
            try await ConnectorConformance.check(RosterModule(), config: "staff:\n  module: roster\n  features: [knowledge]\n")
        }
    }

    @Test func aFeatureOfTheModulesOwnIsCheckedToo() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try folder.write("staff.csv", (1...5).map { "s\($0),s\($0)@acme.example,S\($0),T\($0)" }.joined(separator: "\n"))
        var options = ConnectorConformance.Options()
        options.baseDirectory = folder.path
        let report = try await ConnectorConformance.check(DirectoryModule(), config: "people:\n  module: directory\n  features: [staff-directory]\n  file: staff.csv\n", options: options)
        let checkpoint = report.results(for: .checkpointAfterWrite)
        #expect(checkpoint.count == 1 && checkpoint.first?.feature == "staff-directory", "\(report)")
        guard case .passed? = checkpoint.first?.outcome else { Issue.record("\(report)"); return }
    }

    @Test func moduleEventTypesAreNamespaced() throws {
        #expect(throws: ConnectorError.self) { try ModuleEvent(type: "synced", data: .null) }
        #expect(throws: ConnectorError.self) { try ModuleEvent(type: "ticket.reopened", data: .null) }
        #expect(try ModuleEvent(type: "zendesk.sla_breached", subject: "T1", data: .null).type == "zendesk.sla_breached")
    }
}
