import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A loopback HTTP server with scripted misbehaviour, for transport tests. It counts hits per
/// route and the most requests it saw in flight at once.
final class ScriptedServer: Sendable {
    private let hits = Mutex<[String: Int]>([:])
    private let inFlight = Mutex((now: 0, peak: 0))

    func hit(_ route: String) -> Int { hits.withLock { $0[route, default: 0] += 1; return $0[route]! } }
    func count(_ route: String) -> Int { hits.withLock { $0[route] ?? 0 } }
    var peakInFlight: Int { inFlight.withLock { $0.peak } }

    /// Runs the server on a free port for the duration of `body`.
    static func run<T: Sendable>(_ body: @Sendable (Int, ScriptedServer) async throws -> T) async throws -> T {
        let server = ScriptedServer()
        let router = Router()
        router.get("/auth") { request, _ -> Response in
            _ = server.hit("auth")
            return request.headers[.authorization] == "Bearer good" ? Response(status: .ok) : Response(status: .unauthorized)
        }
        router.post("/echo") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            return Response(status: .ok, headers: [.contentType: request.headers[.contentType] ?? "none"], body: .init(byteBuffer: body))
        }
        router.get("/slow") { _, _ -> Response in
            server.inFlight.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            try? await Task.sleep(for: .milliseconds(50))
            server.inFlight.withLock { $0.now -= 1 }
            return Response(status: .ok)
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "scripted-server", factory: { _ in SwiftLogNoOpLogHandler() }))
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            do {
                let result = try await body(port, server)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
