import ConnectorKit
import ConnectorKitTesting
import Foundation
import Hummingbird
import Logging
@testable import ModuleProtocol
@testable import SwitchboardHost
import Synchronization
import Testing

/// A served module's event stream, read by the host (`sse.open`/`sse.next`/`sse.close`): the SDK's
/// reader against the host's real services and transport, on a real SSE server; only the stdio pipe
/// between them is left out.
@Suite("Event streams across the module protocol")
struct ModuleEventStreamTests {
    /// The host's services as the module's connection sees them: answers and errors as the wire carries them.
    struct DirectHost: HostEventStream.Host {
        let services: ModuleHostServices
        func call(_ method: String, _ params: JSONValue) async throws -> JSONValue {
            switch await RPCMessage.answer(id: .integer(1), { try await services.handle(method, params) }) {
            case .response(_, let result): return result
            case .failure(_, let error): throw error
            default: throw RPCError.invalidRequest("no answer")
            }
        }
        func notify(_ method: String, _ params: JSONValue) {
            let services = self.services
            Task { _ = try? await services.handle(method, params) }
        }
    }

    final class Tokens: AccessTokenSource {
        let state = Mutex((current: "stale", invalidated: [String]()))
        func token() async throws -> String { state.withLock { $0.current } }
        func invalidate(_ token: String) { state.withLock { $0.invalidated.append(token); $0.current = "good" } }
    }

    /// `/events`: 401 unless `Bearer good`; two events, then the stream closes; after event 2, 204.
    final class Seen: Sendable {
        let requests = Mutex([String]())
    }

    static func withServer(_ body: @Sendable (String, Seen) async throws -> Void) async throws {
        let seen = Seen()
        let router = Router()
        router.get("/events") { request, _ -> Response in
            let authorization = request.headers[.authorization] ?? "none"
            let last = request.headers.first { $0.name.canonicalName == "last-event-id" }?.value ?? ""
            seen.requests.withLock { $0.append("\(authorization) after \(last)") }
            guard authorization == "Bearer good" else { return Response(status: .unauthorized) }
            if last == "2" { return Response(status: .noContent) }
            return Response(status: .ok, headers: [.contentType: "text/event-stream"],
                            body: .init(byteBuffer: ByteBuffer(string: "id: 1\nevent: note\ndata: a\n\nid: 2\ndata: b\n\n")))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                              logger: Logger(label: "sse", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            try await body("http://127.0.0.1:\(port)/events", seen)
            group.cancelAll()
        }
    }

    @Test func aRefusedTokenIsRenewedInTheModuleAndTheStreamResumes() async throws {
        try await Self.withServer { url, seen in
            let store = RecordingStore()
            let context = ConnectorContext(connectorName: "mod", vault: CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: "/")),
                                           http: ExternalModuleTests.transport, store: store, sink: store, events: store, handoffs: store,
                                           logger: ExternalModuleTests.logger)
            let services = ModuleHostServices(module: "mod", configuration: ConnectorConfiguration(name: "mod", module: "mod", features: [], settings: SettingsObject()),
                                              schema: SettingsSchema([]), context: context)
            let tokens = Tokens()
            var configuration = SSEConnectionStateMachine.Configuration()
            configuration.initialDelay = .milliseconds(10)
            let module = HTTPTransport(remote: { _ in throw ConnectorError.unavailable("not used") },
                                       events: { HostEventStream(host: DirectHost(services: services), request: $0) }, logger: ExternalModuleTests.logger)
            var iterator = module.events(.init(url: url, authorization: tokens, configuration: configuration)).makeAsyncIterator()
            var events: [String] = []
            while let event = try await iterator.next() { events.append("\(event.type) \(event.data) #\(event.id)") }
            #expect(events == ["note a #1", "message b #2"])
            #expect(tokens.state.withLock { $0.invalidated } == ["stale"], "the module's own token source renewed its token once")
            #expect(seen.requests.withLock { $0 } == ["Bearer stale after ", "Bearer good after ", "Bearer good after 2"], "resumed after the last event")
            #expect(iterator.lastEventID == "2" && iterator.connections >= 2)
            #expect(services.streams.count == 0, "the ended stream was closed in the host")
            try await module.shutdown()
        }
    }
}
