import ArgumentParser
import ConnectorKit
import Foundation
import SwitchboardHost
#if canImport(Glibc)
import Glibc
#endif

/// `switchboard reload`: asks the running host to reload connectors.yaml (SIGHUP) and prints what
/// it did.
struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Reload connectors.yaml in the running host, without a restart.",
        discussion: """
            Finds the host running from this configuration through its store's run lock (<store>.run-lock beside an SQLite store; with a PostgreSQL store every host started from this folder, .switchboard/hosts/PID.run-lock), sends it SIGHUP — the same as `kill -HUP PID` — and waits for its answer.

            The host reads and validates the file again. Valid: it applies the difference — new connectors start, removed ones end their open handoffs (the assistant gets handoff.closed with the reason) and stop, changed ones restart with their new settings (open handoffs resume from their stored position), unchanged ones are not touched; this prints what changed and the new configuration generation. Invalid, or a change only a restart applies (host: and vault: settings, and a different built-in sandbox org): nothing changes, the host keeps running, and this prints every error as `switchboard validate` does and exits 1.

            Exit status: 0 when the reload applied, 1 otherwise (also when no host runs).

            Examples:
              switchboard reload
              switchboard reload --config /etc/switchboard/connectors.yaml
            """
    )

    @OptionGroup var configOption: ConfigOption

    @Option(help: ArgumentHelp("How long to wait for each host's answer, in seconds.", valueName: "seconds"))
    var timeout: Int = 120

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() async throws {
        let path = configOption.config
        guard let store = ConfigLoader(registry: ModuleRegistry()).storeLocation(path: path) else {
            Terminal.error("\(path): cannot read host.store from it (missing, or not YAML that far): cannot tell which host runs from it")
            throw ExitCode.failure
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let hosts = Self.runningHosts(store: store, baseDirectory: base)
        guard !hosts.isEmpty else {
            Terminal.error("no switchboard host runs from \(path) (store \(StoreLocation.display(store, baseDirectory: base))); start one with `switchboard run`")
            throw ExitCode.failure
        }
        var failed = false
        for (lock, pid) in hosts {
            let outcomePath = ReloadOutcome.path(forLock: lock)
            guard let ready = ReloadOutcome.read(outcomePath), ready.pid == pid else {
                Terminal.error("the host (pid \(pid)) is still starting and not ready for reloads yet; try again in a moment")
                failed = true
                continue
            }
            let asked = Date()
            guard kill(pid, SIGHUP) == 0 else {
                Terminal.error("cannot signal the host (pid \(pid)): \(String(cString: strerror(errno)))")
                failed = true
                continue
            }
            guard let outcome = await Self.answer(outcomePath, pid: pid, after: asked, timeout: .seconds(timeout)) else {
                Terminal.error("the host (pid \(pid)) did not answer within \(timeout) s; its log says what happened")
                failed = true
                continue
            }
            let who = hosts.count > 1 ? "host pid \(pid): " : ""
            if outcome.applied {
                print("\(who)reloaded \(path): configuration generation \(outcome.generation)")
                for line in outcome.changes { print("  \(line)") }
            } else {
                for error in outcome.errors { Terminal.error(error) }
                Terminal.error("\(who)nothing changed: the host keeps running configuration generation \(outcome.generation)")
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }

    /// The hosts holding a run lock for this store, with their process ids.
    static func runningHosts(store: HostConfiguration.StoreLocation, baseDirectory: String) -> [(lock: String, pid: Int32)] {
        let locks: [String]
        if let file = StoreLocation.sqlitePath(store, baseDirectory: baseDirectory) {
            locks = [file + StoreRunLock.suffix]
        } else {
            let folder = StoreLocation.hostsFolder(baseDirectory)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            locks = names.filter { $0.hasSuffix(StoreRunLock.suffix) }.sorted().map { "\(folder)/\($0)" }
        }
        return locks.compactMap { lock in StoreRunLock.holder(lockPath: lock).map { (lock, $0) } }
    }

    /// Waits for the outcome of a reload that began after `after`.
    static func answer(_ path: String, pid: Int32, after: Date, timeout: Duration) async -> ReloadOutcome? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let outcome = ReloadOutcome.read(path), outcome.pid == pid, outcome.startedAt >= after { return outcome }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }
}
