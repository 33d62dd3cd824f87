import ConnectorKit
import Foundation
import Logging
import ModuleProtocol

/// The live child process of one external connector, started on demand: `initialize`, then
/// `connector.start` with the instance's settings. While ``run`` manages it, a child that breaks
/// stays broken (calls fail `unavailable`) until the supervisor restarts the connector with backoff;
/// otherwise (a CLI command's calls) the next call starts a new one.
actor ModuleSession {
    struct Live: Sendable {
        let child: ChildProcess
        let peer: RPCPeer
        let reader: Task<Void, Never>
        let logs: Task<Void, Never>
    }

    let module: ExternalModule
    let configuration: ConnectorConfiguration
    let logger: Logger
    let services: RPCPeer.Handler
    /// Called when a child's conversation ends (what it opened in the host is released).
    let childEnded: @Sendable () -> Void
    private var live: Live?
    private var managed = false
    private var endWaiters: [CheckedContinuation<Void, Never>] = []

    init(module: ExternalModule, configuration: ConnectorConfiguration, logger: Logger, services: @escaping RPCPeer.Handler,
         childEnded: @escaping @Sendable () -> Void = {}) {
        self.module = module
        self.configuration = configuration
        self.logger = logger
        self.services = services
        self.childEnded = childEnded
    }

    /// The running child's peer, starting the child when there is none.
    func peer() async throws -> RPCPeer {
        if let live {
            if let broken = await live.peer.broken {
                guard !managed else { throw broken }
                await discard(live)
            } else {
                return live.peer
            }
        }
        return try await start().peer
    }

    /// Starts a child for ``ExternalConnector/run()``: from now on its failure ends `run()`.
    func startManaged() async throws {
        managed = true
        if let live { await discard(live) }
        _ = try await start()
    }

    private func start() async throws -> Live {
        let declaration = module.declaration
        let child = try ChildProcess(declaration.launch(hostEnvironment: module.hostEnvironment))
        let peer = RPCPeer(child: child, logger: logger, handler: services)
        let logger = self.logger
        let logs = Task {
            for await line in child.logLines {
                let (level, message) = Self.level(of: line)
                logger.log(level: level, "\(message)", metadata: ["source": "module-stderr"])
            }
        }
        let reader = Task { [weak self] in
            await peer.serve()
            await self?.ended()
        }
        let started = Live(child: child, peer: peer, reader: reader, logs: logs)
        live = started
        do {
            _ = try await ExternalModule.initialize(peer, timeout: declaration.callTimeout)
            _ = try await peer.call("connector.start", .object([
                ("name", .string(configuration.name)), ("features", .array(configuration.features.map { .string($0.rawValue) })),
                ("settings", configuration.settings.startJSON),
            ]), timeout: declaration.callTimeout)
        } catch {
            await discard(started)
            throw error
        }
        logger.info("external module started", metadata: ["pid": "\(child.pid)"])
        return started
    }

    /// A module's stderr line: `LEVEL message` at that level (swift-log's level names), anything
    /// else at info.
    static func level(of line: String) -> (Logger.Level, Substring) {
        guard let space = line.firstIndex(of: " "), let level = Logger.Level(rawValue: String(line[..<space])) else { return (.info, line[...]) }
        return (level, line[line.index(after: space)...])
    }

    private func ended() {
        childEnded()
        let waiters = endWaiters
        endWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when the current child's conversation has ended (at once when there is none).
    func waitUntilEnded() async {
        guard let live, await live.peer.broken == nil else { return }
        await withCheckedContinuation { endWaiters.append($0) }
    }

    /// Why the current child ended, when it did.
    func failure() async -> ConnectorError? { await live?.peer.broken }

    private var stopping: Task<Void, Never>?

    /// Stops the child: `shutdown`, then SIGTERM, then SIGKILL, within `grace`; returns once it has
    /// exited and been reaped. A second caller waits for the stop under way.
    func stop(grace: Duration) async {
        if let stopping { return await stopping.value }
        guard let live else { return }
        let task = Task {
            await live.peer.expectExit()
            let half = grace / 2
            _ = try? await live.peer.call("shutdown", timeout: half)
            live.child.closeInput()
            if !(await live.child.waitForExit(within: half)) { await live.child.stop(grace: .milliseconds(500)) }
            _ = await live.child.waitForExit()
            await live.reader.value
            live.logs.cancel()
        }
        stopping = task
        await task.value
        if self.live?.child === live.child { self.live = nil }
        stopping = nil
        ended()
    }

    private func discard(_ old: Live) async {
        if live?.child === old.child { live = nil }
        await old.peer.expectExit()
        old.child.killNow()
        await old.reader.value
        old.logs.cancel()
    }
}
