import ServiceLifecycle

/// A support agent working in the sandbox org: every interval, each Case opened through the API
/// (not the seeded ones) that is still `New` is taken — status `Working` — and answered with a
/// public comment from the agent's user, so ticket watching has real changes to report.
struct SimulatedAgent: Sendable {
    let org: SandboxOrg
    let interval: Duration

    static let reply = "Hi, this is Avery from IT support. I'm looking into this now — could you tell me when it started?"

    func run() async {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            if Task.isShuttingDownGracefully { return }
            step()
        }
    }

    /// One round of work (tests call it directly).
    func step() {
        let agent = SalesforceID.make(prefix: "005", number: 2)
        let integration = SalesforceID.make(prefix: "005", number: 1)
        for record in org.records("Case") where !record.isDeleted && record["Status"] == .string("New")
            && record["CreatedById"] == .string(integration) && !SandboxOrg.isSeeded(record.id) {
            org.automate(id: record.id, set: ["Status": .string("Working")])
            _ = try? org.insert("CaseComment", values: ["ParentId": .string(record.id), "CommentBody": .string(Self.reply),
                                                        "IsPublished": .bool(true)], by: agent)
        }
    }
}

extension SandboxOrg {
    /// Whether an id belongs to the seeded data (records created later number from 900,001).
    static func isSeeded(_ id: String) -> Bool {
        let digits = id.dropFirst(6).prefix(9)
        return (Int(digits) ?? 0) < 900_000
    }
}
