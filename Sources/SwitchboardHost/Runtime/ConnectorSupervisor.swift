import ConnectorKit
import Foundation
import Logging
import ServiceLifecycle

/// Runs one connector instance as a `Service`: makes it, runs it, and when its `run()` throws
/// (or returns before shutdown) restarts it after a ``RestartBackoff`` delay — forever, while the
/// host runs. A connector whose module refuses its settings is marked failed and not restarted.
/// Neither case stops the other connectors. On graceful shutdown it stops at once, even mid-backoff.
struct ConnectorSupervisor: Service, CustomStringConvertible {
    let configuration: ConnectorConfiguration
    let module: any ConnectorModule
    let context: ConnectorContext
    let board: ConnectorStatusBoard
    let backoff: RestartBackoff
    let redactor: SecretRedactor

    var logger: Logger { context.logger }

    var description: String { "connector \(configuration.name) (\(module.name))" }

    func run() async throws {
        defer {
            board.attach(configuration.name, nil)
            board.update(configuration.name) { $0.state = .stopped }
        }
        var attempt = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            board.update(configuration.name) { $0.state = .starting }
            let connector: any Connector
            do {
                connector = try module.makeConnector(configuration: configuration, context: context)
            } catch {
                let text = redactor.redact(String(describing: error))
                logger.error("connector cannot start with its settings; it will not be restarted", metadata: ["error": .string(text)])
                board.update(configuration.name) {
                    $0.state = .failed
                    $0.lastError = text
                }
                try? await gracefulShutdown()
                return
            }
            board.attach(configuration.name, connector)
            board.update(configuration.name) { $0.state = .running }
            logger.info("connector running", metadata: ["features": .string(configuration.features.map(\.rawValue).joined(separator: ","))])
            let started = ContinuousClock.now
            let failure: String
            do {
                try await connector.run()
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                failure = "run() returned before shutdown"
            } catch {
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                failure = redactor.redact(String(describing: error))
            }
            attempt = backoff.nextAttempt(after: attempt, runTime: ContinuousClock.now - started)
            let delay = backoff.delay(attempt: attempt)
            let retryAt = Date().addingTimeInterval(Double(delay.milliseconds) / 1000)
            logger.warning("connector failed; restarting after backoff", metadata: [
                "error": .string(failure), "attempt": .stringConvertible(attempt), "delay": .string(DurationFormat.format(delay)),
            ])
            board.update(configuration.name) {
                $0.state = .backingOff(attempt: attempt, retryAt: retryAt)
                $0.restarts += 1
                $0.lastError = failure
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            } catch { break }
            if Task.isShuttingDownGracefully { break }
        }
        logger.info("connector stopped")
    }
}
