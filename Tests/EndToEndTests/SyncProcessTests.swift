import Foundation
import SalesforceSandbox
import SwitchboardHost
import Testing

/// `switchboard sync` as a real process against the in-process sandbox org, into a real SQLite file.
@Suite("switchboard sync, as a process: crash safety", .serialized)
struct SyncProcessTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "switchboard-sync-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func writeConfig(contacts: Int) throws {
        try """
            version: 1
            host:
              store: sqlite:state/state.db
            connectors:
              acme:
                module: salesforce
                features: [user-ingestion]
                org: { login_url: sandbox, sandbox: { seed: 7, contacts: \(contacts) } }
                auth: { consumer_key: 3MVGe2eSync, username: integration@sandbox.switchboard.example, private_key: file:keys/sandbox.pem }
                user-ingestion: { where: "Email != null", batch_size: 2000 }
            """.write(toFile: directory + "/connectors.yaml", atomically: false, encoding: .utf8)
    }

    /// Killed with SIGKILL in the middle of a 100,000-contact sync, then run again: the store holds
    /// exactly the sandbox's contacts — none missing, none twice — and the second run resumed.
    @Test(.timeLimit(.minutes(10))) func killedMidSyncThenResumed() async throws {
        let total = 100_000
        try writeConfig(contacts: total)
        guard let before = try await killAfterTenThousand(["sync", "acme"], total: total) else { return }

        let second = try await SwitchboardProcess.Running(["sync", "acme"], directory: directory, environment: [:]).wait(timeout: .seconds(400))
        #expect(second.status == 0, "\(second.stderr)")
        let written = Int(second.stderr.split(separator: "\n").last { $0.contains(" written,") }?
            .split(separator: " ").dropFirst().first ?? "") ?? -1
        #expect(written > 0 && written <= total - before + 2000, "resumed from the checkpoint (wrote \(written) after \(before))")

        let stored = try await SQLiteStore(path: directory + "/state/state.db").ids(connector: "acme", stream: "users")
        var configuration = SandboxConfiguration()
        configuration.seed = SeedData(seed: 7, contacts: total)
        let expected = try SandboxOrg(configuration: configuration).records("Contact").map(\.id).sorted()
        #expect(stored.count == total)
        #expect(stored == expected, "exactly the sandbox's contacts")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `sync --full` killed with SIGKILL mid-way, then run again: the second run resumes at the first
    /// one's last commit instead of starting from zero, and the store holds exactly the sandbox's
    /// contacts.
    @Test(.timeLimit(.minutes(10))) func fullSyncKilledMidwayResumes() async throws {
        let total = 60_000
        try writeConfig(contacts: total)
        guard let before = try await killAfterTenThousand(["sync", "acme", "--full"], total: total) else { return }

        let second = try await SwitchboardProcess.Running(["sync", "acme", "--full"], directory: directory, environment: [:]).wait(timeout: .seconds(400))
        #expect(second.status == 0, "\(second.stderr)")
        let summary = second.stderr.split(separator: "\n").last { $0.contains(" written,") }.map(String.init) ?? ""
        let written = Int(summary.split(separator: " ").dropFirst().first ?? "") ?? -1
        #expect(summary.contains("resumed the interrupted full sync"), "\(summary)")
        #expect(written > 0 && written <= total - before + 2000, "resumed, not from zero (wrote \(written) after \(before))")
        let stored = try await SQLiteStore(path: directory + "/state/state.db").count(connector: "acme", stream: "users")
        #expect(stored == total)
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func stateShowAndResetWhichIsRefusedWhileTheHostRuns() async throws {
        try writeConfig(contacts: 300)
        let sync = try await SwitchboardProcess.run(["sync", "acme"], in: directory)
        #expect(sync.status == 0, "\(sync.stderr)")
        let show = try await SwitchboardProcess.run(["state", "show", "acme"], in: directory)
        #expect(show.stdout.contains("users: 300") && show.stdout.contains("  users: 20"), "\(show.output)")

        let host = try SwitchboardProcess.Running(["run"], directory: directory, environment: [:])
        try await host.waitForStderr("contacts synced")
        let refused = try await SwitchboardProcess.run(["state", "reset", "acme"], in: directory)
        #expect(refused.status == 1 && refused.stderr.contains("a running host uses"), "\(refused.output)")
        let second = try await SwitchboardProcess.run(["run"], in: directory)
        #expect(second.status == 1 && second.stderr.contains("another switchboard host runs on this store"), "\(second.output)")
        host.signal(SIGTERM)
        #expect(try await host.wait().status == 0)

        let reset = try await SwitchboardProcess.run(["state", "reset", "acme", "--stream", "users"], in: directory)
        #expect(reset.status == 0 && reset.stdout.contains("1 checkpoint reset (stream users)"), "\(reset.output)")
        let after = try await SwitchboardProcess.run(["state", "show", "acme", "--stream", "users"], in: directory)
        #expect(after.stdout.contains("no checkpoints for stream users"), "\(after.output)")
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `arguments`, kills it with SIGKILL once 10,000 records are committed, and returns how
    /// many the store holds then (nil, with an issue recorded, when it ended or stalled first).
    func killAfterTenThousand(_ arguments: [String], total: Int) async throws -> Int? {
        let first = try SwitchboardProcess.Running(arguments, directory: directory, environment: [:])
        // Wait for a few committed pages (plain progress lines: stderr is not a terminal).
        let deadline = ContinuousClock.now + .seconds(300)
        while Self.recordsSoFar(first.stderrText) < 10_000 {
            guard first.process.isRunning, ContinuousClock.now < deadline else {
                Issue.record("the first sync ended or stalled before 10,000 records: \(first.stderrText)")
                return nil
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        first.signal(SIGKILL)
        let killed = try await first.wait()
        #expect(killed.status != 0)
        let before = try await SQLiteStore(path: directory + "/state/state.db").count(connector: "acme", stream: "users")
        #expect(before >= 10_000 && before < total, "killed mid-way: \(before) stored")
        return before
    }

    /// The records count of the last plain progress line (`users: 12000/100000 records, …`).
    static func recordsSoFar(_ stderr: String) -> Int {
        guard let line = stderr.split(separator: "\n").last(where: { $0.hasPrefix("users: ") && $0.contains("/") }) else { return 0 }
        return Int(line.dropFirst("users: ".count).prefix { $0.isNumber }) ?? 0
    }
}
