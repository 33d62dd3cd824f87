import ConnectorKit
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The host's running connectors as one service whose members change while it runs: each connector
/// is a ``ConnectorSupervisor`` in a service group of its own, so a reload can stop one (removed, or
/// to restart it with new settings) gracefully — its run sees a graceful shutdown exactly as at host
/// shutdown — while the others keep running untouched. The host's own graceful shutdown reaches
/// every member through the nested groups.
final class ConnectorFleet: Service, Sendable, CustomStringConvertible {
    /// One running connector.
    private struct Member: Sendable {
        var configuration: ConnectorConfiguration
        var context: ConnectorContext
        var group: ServiceGroup
        var finished: Completion
    }

    private let members = Mutex<[String: Member]>([:])
    private let starts: AsyncStream<Member>
    private let startContinuation: AsyncStream<Member>.Continuation
    private let initial: [(ConnectorConfiguration, any ConnectorModule)]
    private let makeContext: @Sendable (ConnectorConfiguration) -> ConnectorContext
    private let board: ConnectorStatusBoard
    private let backoff: RestartBackoff
    private let redactor: SecretRedactor
    private let shutdownTimeout: Duration
    private let logger: Logger

    init(initial: [(ConnectorConfiguration, any ConnectorModule)], board: ConnectorStatusBoard, backoff: RestartBackoff, redactor: SecretRedactor,
         shutdownTimeout: Duration, logger: Logger, makeContext: @escaping @Sendable (ConnectorConfiguration) -> ConnectorContext) {
        (starts, startContinuation) = AsyncStream.makeStream()
        self.initial = initial
        self.board = board
        self.backoff = backoff
        self.redactor = redactor
        self.shutdownTimeout = shutdownTimeout
        self.logger = logger
        self.makeContext = makeContext
        for (configuration, _) in initial { board.register(configuration) }
    }

    var description: String { "connectors" }

    func run() async throws {
        for (configuration, module) in initial { start(configuration, module: module) }
        await withDiscardingTaskGroup { tasks in
            for await member in starts.cancelOnGracefulShutdown() {
                tasks.addTask {
                    try? await member.group.run()
                    member.finished.complete()
                }
            }
            // The members' groups follow the host's graceful shutdown themselves; wait for them.
        }
        startContinuation.finish()
        // A member started while the host was shutting down never ran: nobody waits for it in vain.
        for member in members.withLock({ Array($0.values) }) { member.finished.complete() }
    }

    /// Starts a connector (registered on the board in the `starting` state). Ignored once the host
    /// shuts down.
    func start(_ configuration: ConnectorConfiguration, module: any ConnectorModule) {
        board.register(configuration)
        let context = makeContext(configuration)
        let supervisor = ConnectorSupervisor(configuration: configuration, module: module, context: context,
                                             board: board, backoff: backoff, redactor: redactor)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [.init(service: supervisor, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [], cancellationSignals: [], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = shutdownTimeout
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        let member = Member(configuration: configuration, context: context, group: ServiceGroup(configuration: groupConfiguration), finished: Completion())
        members.withLock { $0[configuration.name] = member }
        startContinuation.yield(member)
    }

    /// Stops a connector gracefully (its run returns as at host shutdown: open handoffs stay open and
    /// resume from their stored position when it starts again) and waits until it has.
    /// `forgetting` removes it from the board too.
    func stop(_ name: String, forgetting: Bool) async {
        guard let member = members.withLock({ $0.removeValue(forKey: name) }) else { return }
        await member.group.triggerGracefulShutdown()
        await member.finished.wait()
        if forgetting { board.unregister(name) }
    }

    /// Ends a connector's open handoffs before it is removed: each is closed on the agent's side and
    /// announced to the assistant (`handoff.closed` with the reason). A handoff that cannot be closed
    /// is logged and left to the store (it resumes if the connector comes back).
    func endHandoffs(of name: String, reason: String) async {
        guard let member = members.withLock({ $0[name] }), member.configuration.isEnabled(.liveAgent) else { return }
        let open: [HandoffRecord]
        do {
            open = try await member.context.handoffs.open()
        } catch {
            logger.warning("cannot list the open handoffs of a removed connector; they stay open", metadata: [
                "connector": .string(name), "error": .string(redactor.redact(String(describing: error))),
            ])
            return
        }
        guard !open.isEmpty else { return }
        let connector = board.connector(name)
        if connector?.liveAgent == nil, connector?.chatTokens != nil {
            // Chat-token handoffs (Live Assist) relay nothing: the chat runs in the client, its token
            // expires on its own. They are marked ended, as DELETE /v1/handoffs/{id} does.
            for record in open {
                var ended = record
                ended.status = .ended
                ended.endReason = reason
                ended.updatedAt = Date()
                try? await member.context.handoffs.save(ended)
            }
            return
        }
        guard let liveAgent = connector?.liveAgent else {
            logger.warning("a removed connector was not running: its open handoffs stay open", metadata: [
                "connector": .string(name), "handoffs": "\(open.count)",
            ])
            return
        }
        for record in open {
            do {
                try await liveAgent.endHandoff(handoffId: record.id, reason: reason)
            } catch {
                logger.warning("cannot end a handoff of a removed connector; it stays open", metadata: [
                    "connector": .string(name), "handoff": .string(record.id), "error": .string(redactor.redact(String(describing: error))),
                ])
            }
        }
        logger.notice("ended the open handoffs of a removed connector", metadata: ["connector": .string(name), "handoffs": "\(open.count)"])
    }
}

/// A one-time signal: `wait()` returns once `complete()` was called (also when it was called before).
final class Completion: Sendable {
    private let state = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func complete() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if !state.done { state.waiters.append(continuation) }
                return state.done
            }
            if done { continuation.resume() }
        }
    }
}
