import ConnectorKit
import Foundation
import ServiceLifecycle

/// `module: payroll` — employees from the payroll system's nightly CSV export, as users.
public struct PayrollModule: ConnectorModule {
    public let name = "payroll"
    public let summary = "Employees from the payroll system's nightly CSV export (id,email,first,last)."
    public let features: [Feature] = [.userIngestion]
    public var settings: SettingsSchema {
        SettingsSchema([
            SettingField("export", .path(mustExist: true), required: true, summary: "The CSV export file."),
            SettingField("schedule", .duration, default: .duration(.seconds(3600)), summary: "How often to read it."),
        ])
    }

    /// Creates the module.
    public init() {}

    public func makeConnector(configuration: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector {
        PayrollConnection(export: try configuration.settings.requiredText("export"),
                          schedule: try configuration.settings.requiredDuration("schedule"), context: context)
    }
}

struct PayrollConnection: Connector, UserIngestion {
    let export: String
    let schedule: Duration
    let context: ConnectorContext
    let health = HealthChecks()

    var userIngestion: (any UserIngestion)? { self }

    func run() async throws {
        let work = ScheduledWork(name: "payroll import", check: "users", interval: schedule, context: context, health: health)
        await work.run {
            let report = try await syncUsers(mode: .full) { _ in }
            return "\(report.upserted) employees"
        }
    }

    func check() async -> HealthReport {
        let readable = FileManager.default.isReadableFile(atPath: export)
        return HealthReport(checks: [HealthReport.Check(name: "export", status: readable ? .healthy : .unhealthy,
                                                        detail: readable ? "readable" : "cannot read \(export)")] + health.all)
    }

    /// A full read each time: every line is written with the checkpoint in one batch, then employees
    /// no longer in the export are removed.
    func syncUsers(mode: SyncMode, progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> SyncReport {
        let lines = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n").dropFirst()
        // The export's own time, not now: an unchanged export must store unchanged records (the
        // conformance kit's rerun check caught `Date()` here).
        let exported = (try FileManager.default.attributesOfItem(atPath: export)[.modificationDate] as? Date) ?? .distantPast
        let users = lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }.filter { $0.count >= 4 }
            .map { UserRecord(id: $0[0], email: $0[1], firstName: $0[2], lastName: $0[3], fields: [:], modifiedAt: exported) }
        try await context.sink.commit(RecordBatch(connector: context.connectorName, stream: .users, upserts: users.map(SyncRecord.user),
                                                  checkpoint: ISO8601DateFormatter().string(from: context.clock.now())))
        let removed = try await context.sink.reconcile(connector: context.connectorName, stream: .users, keeping: Set(users.map(\.id)))
        return SyncReport(upserted: users.count, deleted: removed, pages: 1)
    }
}
