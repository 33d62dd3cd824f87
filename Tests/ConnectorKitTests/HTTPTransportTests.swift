import ConnectorKit
import Foundation
import Logging
import SalesforceSandbox
import Synchronization
import Testing

/// The retry matrix against a real server on loopback.
@Suite("HTTP transport: the retry matrix against the sandbox org, limits, JSON", .serialized)
struct HTTPTransportTests {
    static func transport(maxAttempts: Int = 4, attemptTimeout: Duration = .seconds(10), perHost: Int = 16,
                          connectTimeout: Duration = .seconds(2)) -> HTTPTransport {
        var configuration = HTTPTransport.Configuration()
        configuration.retry = RetryPolicy(maxAttempts: maxAttempts, baseDelay: .milliseconds(10), maxDelay: .milliseconds(50))
        configuration.attemptTimeout = attemptTimeout
        configuration.connectTimeout = connectTimeout
        configuration.maxConcurrentPerHost = perHost
        return HTTPTransport(configuration: configuration, logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Runs `body` against a fresh sandbox org; the retry matrix uses its fault injection.
    static func withSandbox(_ body: @Sendable (String, SalesforceSandbox) async throws -> Void) async throws {
        try await SalesforceSandbox.withRunning { sandbox in try await body(await sandbox.baseURL(), sandbox) }
    }

    static func hits(_ sandbox: SalesforceSandbox, _ route: String) -> Int { sandbox.org.stats.requestsByRoute[route] ?? 0 }

    @Test func serviceUnavailableThenOK() async throws {
        try await Self.withSandbox { base, sandbox in
            sandbox.faults.add(FaultRule(path: "/services/data", status: 503, times: 1))
            let transport = Self.transport()
            let response = try await transport.send(.init(url: "\(base)/services/data"))
            #expect(response.status == 200 && response.attempts == 2)
            #expect(String(decoding: response.body, as: UTF8.self).contains("\"version\":\"62.0\""))
            #expect(Self.hits(sandbox, "GET /services/data") == 2)
            try await transport.shutdown()
        }
    }

    @Test func tooManyRequestsWaitsForRetryAfter() async throws {
        try await Self.withSandbox { base, sandbox in
            sandbox.faults.add(FaultRule(path: "/services/data", status: 429, retryAfter: "2", times: 1))
            let transport = Self.transport()
            let started = ContinuousClock.now
            let response = try await transport.send(.init(url: "\(base)/services/data"))
            let waited = ContinuousClock.now - started
            #expect(response.status == 200)
            #expect(Self.hits(sandbox, "GET /services/data") == 2, "waited, not hammered")
            #expect(waited >= .milliseconds(1900), "Retry-After: 2 was honoured (waited \(waited))")
            try await transport.shutdown()
        }
    }

    @Test func postIsNotRetriedUnlessMarkedSafe() async throws {
        try await Self.withSandbox { base, sandbox in
            sandbox.faults.add(FaultRule(path: "/services/oauth2/token", method: "POST", status: 503))
            let transport = Self.transport(maxAttempts: 3)
            let url = "\(base)/services/oauth2/token"
            let once = try await transport.send(.init(method: "POST", url: url, body: Array("grant_type=x".utf8)))
            #expect(once.status == 503 && Self.hits(sandbox, "POST /services/oauth2/token") == 1)
            let error = await #expect(throws: TransportError.self) {
                try await transport.send(.init(method: "POST", url: url, body: Array("grant_type=x".utf8), safeToRepeat: true))
            }
            #expect(Self.hits(sandbox, "POST /services/oauth2/token") == 4, "3 more attempts when marked safe")
            #expect(error?.status == 503 && error?.attempts == 3)
            try await transport.shutdown()
        }
    }

    @Test func persistentFailureGivesAClearErrorAfterTheBound() async throws {
        try await Self.withSandbox { base, sandbox in
            sandbox.faults.add(FaultRule(path: "/services/data", status: 503))
            let transport = Self.transport(maxAttempts: 4)
            let error = await #expect(throws: TransportError.self) { try await transport.send(.init(url: "\(base)/services/data?token=secret-in-query")) }
            #expect(Self.hits(sandbox, "GET /services/data") == 4)
            #expect(error?.description == "\(base)/services/data: HTTP 503, gave up after 4 attempts (4 attempts)")
            #expect(error?.description.contains("secret-in-query") == false, "query strings never appear in errors")
            try await transport.shutdown()
        }
    }

    @Test func connectionRefusedIsRetriedThenReported() async throws {
        // A port that was just listening and is now closed.
        let base = try await SalesforceSandbox.withRunning { sandbox in await sandbox.baseURL() }
        let transport = Self.transport(maxAttempts: 3, connectTimeout: .milliseconds(300))
        let error = await #expect(throws: TransportError.self) { try await transport.send(.init(method: "POST", url: "\(base)/services/data")) }
        #expect(error?.attempts == 3, "refused connections are retried even for POST: nothing was sent")
        try await transport.shutdown()
    }

    @Test func stalledServerTimesOut() async throws {
        try await Self.withSandbox { base, sandbox in
            sandbox.faults.add(FaultRule(path: "/services/data", delayMs: 1000))
            let transport = Self.transport(maxAttempts: 2, attemptTimeout: .milliseconds(200))
            let error = await #expect(throws: TransportError.self) { try await transport.send(.init(url: "\(base)/services/data")) }
            #expect(error?.attempts == 2)
            #expect(Self.hits(sandbox, "GET /services/data") == 2)
            try await transport.shutdown()
        }
    }

    @Test func droppedResponseIsRetried() async throws {
        try await Self.withSandbox { base, sandbox in
            sandbox.faults.add(FaultRule(path: "/services/data", dropAfterBytes: 10, times: 1))
            let transport = Self.transport()
            let response = try await transport.send(.init(url: "\(base)/services/data"))
            #expect(response.status == 200 && response.attempts == 2, "a response cut mid-body is retried for a GET")
            #expect(String(decoding: response.body, as: UTF8.self).hasSuffix("]"))
            try await transport.shutdown()
        }
    }

    @Test func cancellationStopsAtOnceWithoutRetrying() async throws {
        try await Self.withSandbox { base, sandbox in
            sandbox.faults.add(FaultRule(path: "/services/data", delayMs: 1000))
            let transport = Self.transport(maxAttempts: 4)
            let request = Task { try await transport.send(.init(url: "\(base)/services/data")) }
            // Cancel as soon as the server holds the request (it stalls for a second before answering).
            while Self.hits(sandbox, "GET /services/data") == 0 { try await Task.sleep(for: .milliseconds(2)) }
            request.cancel()
            let result = await request.result
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(Self.hits(sandbox, "GET /services/data") == 1, "not retried after cancellation")
            try await transport.shutdown()
        }
    }

    final class Tokens: AccessTokenSource {
        let state = Mutex((current: "stale", fetches: 0, invalidated: [String]()))
        func token() async throws -> String { state.withLock { $0.fetches += 1; return $0.current } }
        func invalidate(_ token: String) { state.withLock { $0.invalidated.append(token); $0.current = "good" } }
    }

    @Test func unauthorizedReauthenticatesOnceThenSucceeds() async throws {
        try await ScriptedServer.run { port, server in
            let transport = Self.transport()
            let tokens = Tokens()
            let response = try await transport.send(.init(url: "http://127.0.0.1:\(port)/auth", authorization: tokens))
            #expect(response.status == 200)
            #expect(server.count("auth") == 2)
            #expect(tokens.state.withLock { $0.invalidated } == ["stale"])
            try await transport.shutdown()
        }
    }

    /// A transport whose requests another process sends (an external module's, through its host):
    /// the token source stays on this side, its token goes as a header, a 401 gets one new token.
    @Test func aRemoteTransportAuthorisesWithItsOwnTokenSource() async throws {
        try await ScriptedServer.run { port, server in
            let host = Self.transport()
            let sent = Mutex([String]())
            let module = HTTPTransport(remote: { request in
                #expect(request.authorization == nil, "the token source never crosses")
                sent.withLock { $0.append(request.headers.first { $0.0 == "Authorization" }?.1 ?? "none") }
                return try await host.send(request)
            }, logger: Logger(label: "test"))
            let tokens = Tokens()
            let response = try await module.send(.init(url: "http://127.0.0.1:\(port)/auth", headers: [("Authorization", "Bearer ignored")], authorization: tokens))
            #expect(response.status == 200 && server.count("auth") == 2)
            #expect(sent.withLock { $0 } == ["Bearer stale", "Bearer good"] && tokens.state.withLock { $0.invalidated } == ["stale"])
            try await module.shutdown()
            try await host.shutdown()
        }
    }

    struct Note: Codable, Equatable {
        var subject: String
        var priority: Int
    }

    @Test func jsonRequestAndDecodedResponse() async throws {
        try await ScriptedServer.run { port, _ in
            let transport = Self.transport()
            let sent = Note(subject: "Laptop \"won't\" boot", priority: 2)
            let response = try await transport.send(.json("POST", url: "http://127.0.0.1:\(port)/echo", body: sent))
            #expect(response.header("content-type") == "application/json")
            #expect(try response.decode(Note.self) == sent)
            #expect(response.attempts == 1)
            try await transport.shutdown()
        }
    }

    @Test func perHostConcurrencyLimit() async throws {
        try await ScriptedServer.run { port, server in
            let transport = Self.transport(perHost: 2)
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 { group.addTask { try await transport.send(.init(url: "http://127.0.0.1:\(port)/slow")).status } }
                for try await status in group { #expect(status == 200) }
            }
            #expect(server.peakInFlight == 2)
            try await transport.shutdown()
        }
    }
}
