import ConnectorKit
import Foundation
@testable import SwitchboardHost
import Testing

/// The API's connections are bounded and timed, over real sockets: connections that never send
/// their headers, idle keep-alives, more connections or event streams than allowed, huge bodies.
@Suite("Host API: connection limits and timeouts", .serialized)
struct ConnectionLimitTests {
    static func port(_ base: String) -> Int { Int(base.split(separator: ":").last!)! }

    /// Headers that never finish (a half-open or slow client) are answered 408 and closed.
    @Test func headersThatNeverFinishAreTimedOut() async throws {
        let (store, directory) = try HostAPITests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await HostAPITests.withAPI(store: store, limits: APILimits(headerTimeout: .milliseconds(300))) { base, _ in
            let silent = try RawSocket(port: Self.port(base))
            let slow = try RawSocket(port: Self.port(base))
            slow.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            let (text, closed) = await slow.readUntilClosed(timeout: .seconds(5))
            #expect(closed && text.hasPrefix("HTTP/1.1 408"), "\(text)")
            #expect(await silent.readUntilClosed(timeout: .seconds(5)).closed, "a connection that sends nothing is closed too")
        }
    }

    /// A keep-alive connection idle past the idle timeout is closed.
    @Test func idleKeepAlivesAreClosed() async throws {
        let (store, directory) = try HostAPITests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await HostAPITests.withAPI(store: store, limits: APILimits(idleTimeout: .milliseconds(400))) { base, _ in
            let client = try RawSocket(port: Self.port(base))
            client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(await client.read(until: "\"ok\"", timeout: .seconds(5)).hasPrefix("HTTP/1.1 200"))
            let started = ContinuousClock.now
            #expect(await client.readUntilClosed(timeout: .seconds(5)).closed)
            #expect(ContinuousClock.now - started < .seconds(4))
        }
    }

    /// Past max_connections a new connection is answered 503 at once and closed; when connections
    /// close, requests are served again.
    @Test func connectionsAreBoundedAndTheNextIsTold503() async throws {
        let (store, directory) = try HostAPITests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await HostAPITests.withAPI(store: store, limits: APILimits(maxConnections: 8)) { base, http in
            var held: [RawSocket] = []
            for _ in 0..<8 { held.append(try RawSocket(port: Self.port(base))) }
            try await Task.sleep(for: .milliseconds(200))
            let refused = try RawSocket(port: Self.port(base))
            let (text, closed) = await refused.readUntilClosed(timeout: .seconds(3))
            #expect(closed && text.hasPrefix("HTTP/1.1 503") && text.contains("too_many_connections"), "\(text)")
            held.removeAll()
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await http.send(.init(url: base + "/healthz")).status == 200, "places are given back")
        }
    }

    /// Past max_event_streams a new stream is answered 503 too_many_streams, while the probes and
    /// other calls still get through.
    @Test func eventStreamsAreBounded() async throws {
        let (store, directory) = try HostAPITests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await HostAPITests.withAPI(store: store, limits: APILimits(maxConnections: 16, maxEventStreams: 2)) { base, http in
            var streams: [RawSocket] = []
            for _ in 0..<2 {
                let stream = try RawSocket(port: Self.port(base))
                stream.send("GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                #expect(await stream.read(until: "switchboard events", timeout: .seconds(5)).hasPrefix("HTTP/1.1 200"))
                streams.append(stream)
            }
            let third = try RawSocket(port: Self.port(base))
            third.send("GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let refused = await third.read(until: "}}", timeout: .seconds(5))
            #expect(refused.hasPrefix("HTTP/1.1 503") && refused.contains("too_many_streams"), "\(refused)")
            #expect(try await http.send(.init(url: base + "/healthz")).status == 200)
            streams.removeAll()
            try await Task.sleep(for: .milliseconds(500))
            let again = try RawSocket(port: Self.port(base))
            again.send("GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(await again.read(until: "switchboard events", timeout: .seconds(5)).hasPrefix("HTTP/1.1 200"), "a closed stream frees its place")
        }
    }

    /// Connections never take the descriptors kept for the store and the connectors' own
    /// connections; event streams always leave room for calls and probes.
    @Test func limitsFitTheDescriptorLimit() {
        let fitted = APILimits().fitted(toDescriptorLimit: 1024)
        #expect(fitted.maxConnections == (1024 - APILimits.reservedDescriptors) / 2)
        #expect(fitted.maxEventStreams == fitted.maxConnections - APILimits.nonStreamingConnections)
        let roomy = APILimits(maxConnections: 100, maxEventStreams: 10).fitted(toDescriptorLimit: 1_000_000)
        #expect(roomy.maxConnections == 100 && roomy.maxEventStreams == 10, "configured limits below the room stay")
    }

    /// A body over the limit is 413, not 500.
    @Test func aHugeBodyIs413() async throws {
        let (store, directory) = try HostAPITests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await HostAPITests.withAPI(store: store) { base, http in
            let huge = Array(repeating: UInt8(ascii: "a"), count: 10 << 20)
            let response = try await http.send(.init(method: "POST", url: base + "/v1/tickets",
                                                     headers: [("Content-Type", "application/json"), ("Idempotency-Key", "k")], body: huge))
            #expect(response.status == 413 && HostAPITests.text(response).contains("payload_too_large"), "\(HostAPITests.text(response))")
        }
    }
}
