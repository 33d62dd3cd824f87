import ConnectorKit
import Foundation
import Logging
import SalesforceSandbox
import Testing

/// The SSE client against the sandbox's numbered event stream.
@Suite("SSE client against the sandbox: reconnect, Last-Event-ID, idle timeout, retry, cancellation")
struct EventStreamTests {
    static func transport() -> HTTPTransport { HTTPTransport(logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })) }
    static let fast = SSEConnectionStateMachine.Configuration(initialDelay: .milliseconds(20), maxDelay: .milliseconds(100), idleTimeout: .seconds(5))

    static func ids(_ events: [ServerSentEvent]) -> [Int] { events.compactMap { Int($0.id) } }

    @Test func readsEveryEventThenEndsOn204() async throws {
        try await SalesforceSandbox.withRunning { sandbox in
            let transport = Self.transport()
            let stream = transport.events(.init(url: "\(await sandbox.baseURL())/__sandbox/stream?count=5&interval=1", configuration: Self.fast))
            var events: [ServerSentEvent] = []
            for try await event in stream { events.append(event) }
            #expect(Self.ids(events) == [1, 2, 3, 4, 5])
            #expect(events.allSatisfy { $0.type == "CONVERSATION_MESSAGE" })
            #expect(events[2].data.contains("Agent reply 3"))
            try await transport.shutdown()
        }
    }

    @Test func droppedMidEventReconnectsWithLastEventIDAndLosesNothing() async throws {
        try await SalesforceSandbox.withRunning { sandbox in
            // Cut the first connection in the middle of the third event.
            let frame = SalesforceSandbox.streamFrame(id: 1).utf8.count
            sandbox.faults.add(FaultRule(path: "/__sandbox/stream", dropAfterBytes: frame * 2 + frame / 2, times: 1))
            let transport = Self.transport()
            let stream = transport.events(.init(url: "\(await sandbox.baseURL())/__sandbox/stream?count=8&interval=1", configuration: Self.fast))
            var events: [ServerSentEvent] = []
            var iterator = stream.makeAsyncIterator()
            while let event = try await iterator.next() { events.append(event) }
            #expect(Self.ids(events) == Array(1...8), "no event lost, none repeated")
            #expect(iterator.connections == 3, "dropped, resumed after id 2, then 204 at the end")
            #expect(iterator.lastEventID == "8")
            try await transport.shutdown()
        }
    }

    @Test func resumesFromAStoredLastEventID() async throws {
        try await SalesforceSandbox.withRunning { sandbox in
            let transport = Self.transport()
            let stream = transport.events(.init(url: "\(await sandbox.baseURL())/__sandbox/stream?count=6&interval=1", configuration: Self.fast,
                                                lastEventID: "4"))
            var events: [ServerSentEvent] = []
            for try await event in stream { events.append(event) }
            #expect(Self.ids(events) == [5, 6])
            try await transport.shutdown()
        }
    }

    @Test func silentStreamIsReconnectedAfterTheIdleTimeout() async throws {
        try await SalesforceSandbox.withRunning { sandbox in
            let transport = Self.transport()
            var configuration = Self.fast
            configuration.idleTimeout = .milliseconds(300)
            // The first connection goes silent after event 3 (no bytes at all).
            let stream = transport.events(.init(url: "\(await sandbox.baseURL())/__sandbox/stream?count=5&interval=1&stall=3",
                                                configuration: configuration))
            var iterator = stream.makeAsyncIterator()
            var events: [ServerSentEvent] = []
            while let event = try await iterator.next() { events.append(event) }
            // Events 4 and 5 only come after the silent first connection was given up: the idle timeout fired.
            #expect(Self.ids(events) == [1, 2, 3, 4, 5])
            #expect(iterator.connections >= 3, "idle → reconnect with Last-Event-ID 3 → 204 (more only if a loaded machine stalls too)")
            try await transport.shutdown()
        }
    }

    @Test(.timeLimit(.minutes(1))) func serverRetryHintIsHonoured() async throws {
        try await SalesforceSandbox.withRunning { sandbox in
            sandbox.faults.add(FaultRule(path: "/__sandbox/stream", dropAfterBytes: 200, times: 1))
            let transport = Self.transport()
            var configuration = Self.fast
            configuration.initialDelay = .seconds(600)  // without the hint the reconnect would wait 5–10 minutes: the time limit fails it
            configuration.maxDelay = .seconds(600)
            let stream = transport.events(.init(url: "\(await sandbox.baseURL())/__sandbox/stream?count=3&interval=1&retry=10",
                                                configuration: configuration))
            var events: [ServerSentEvent] = []
            for try await event in stream { events.append(event) }
            #expect(Self.ids(events) == [1, 2, 3], "reconnected after retry: 10 ms, not the 10-minute default")
            try await transport.shutdown()
        }
    }

    @Test func cancellationClosesTheConnectionAtOnce() async throws {
        try await SalesforceSandbox.withRunning { sandbox in
            let transport = Self.transport()
            let url = "\(await sandbox.baseURL())/__sandbox/stream?interval=20"  // endless
            let consumer = Task {
                var count = 0
                for try await _ in transport.events(.init(url: url, configuration: Self.fast)) { count += 1 }
                return count
            }
            while (sandbox.org.stats.requestsByRoute["GET /__sandbox/stream"] ?? 0) == 0 { try await Task.sleep(for: .milliseconds(5)) }
            consumer.cancel()
            let result = await consumer.result
            #expect(throws: CancellationError.self) { try result.get() }
            #expect(sandbox.org.stats.requestsByRoute["GET /__sandbox/stream"] == 1, "no reconnect after cancellation")
            try await transport.shutdown()
        }
    }

    @Test func refusedStreamEndsWithAReason() async throws {
        try await SalesforceSandbox.withRunning { sandbox in
            sandbox.faults.add(FaultRule(path: "/__sandbox/stream", status: 404))
            let transport = Self.transport()
            let stream = transport.events(.init(url: "\(await sandbox.baseURL())/__sandbox/stream?count=1", configuration: Self.fast))
            let error = await #expect(throws: EventStreamError.self) { for try await _ in stream {} }
            #expect(error?.reason == "the server answered 404")
            try await transport.shutdown()
        }
    }
}

