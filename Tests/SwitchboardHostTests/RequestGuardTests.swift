import ConnectorKit
import Foundation
@testable import SwitchboardHost
import Testing

/// The token-less loopback API against web pages (DNS rebinding, cross-site requests), addresses
/// parsed rather than matched as text, tokens of real strength, the bearer scheme in any case.
@Suite("Host API: loopback guard, origins, media types, tokens", .serialized)
struct RequestGuardTests {
    static func port(_ base: String) -> Int { ConnectionLimitTests.port(base) }

    /// A raw request with exactly these headers; returns the status line and body.
    static func raw(_ base: String, _ head: String, body: String = "") async throws -> String {
        let socket = try RawSocket(port: port(base))
        let length = body.isEmpty ? "" : "Content-Length: \(body.utf8.count)\r\n"
        socket.send(head + "\r\n" + length + "Connection: close\r\n\r\n" + body)
        return await socket.readUntilClosed(timeout: .seconds(5)).text
    }

    @Test func withoutATokenOnlyLoopbackHostsAndOriginsAreServed() async throws {
        let (store, directory) = try HostAPITests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await HostAPITests.withAPI(store: store) { base, _ in
            for host in ["127.0.0.1:\(Self.port(base))", "localhost:\(Self.port(base))", "[::1]:\(Self.port(base))", "127.0.0.1"] {
                let answer = try await Self.raw(base, "GET /v1/connectors HTTP/1.1\r\nHost: \(host)")
                #expect(answer.hasPrefix("HTTP/1.1 200"), "\(host): \(answer)")
            }
            for host in ["attacker.example", "attacker.example:\(Self.port(base))", "127.evil.example", "127.0.0.1.nip.io:80", "0.0.0.0"] {
                let answer = try await Self.raw(base, "GET /v1/connectors HTTP/1.1\r\nHost: \(host)")
                #expect(answer.hasPrefix("HTTP/1.1 403") && answer.contains("forbidden_host"), "\(host): \(answer)")
            }
            let foreign = try await Self.raw(base, "POST /v1/employees/emp-1/logout HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://attacker.example")
            #expect(foreign.hasPrefix("HTTP/1.1 403") && foreign.contains("forbidden_origin"), "\(foreign)")
            let local = try await Self.raw(base, "GET /v1/connectors HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://localhost:3000")
            #expect(local.hasPrefix("HTTP/1.1 200"))
        }
    }

    @Test func bodiesMustBeJSONAndNoCORSIsAnswered() async throws {
        let (store, directory) = try HostAPITests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await HostAPITests.withAPI(store: store) { base, _ in
            let plain = try await Self.raw(base, "POST /v1/handoffs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain",
                                     body: #"{"employeeId":"emp-1"}"#)
            #expect(plain.hasPrefix("HTTP/1.1 415") && plain.contains("unsupported_media_type"), "\(plain)")
            let form = try await Self.raw(base, "POST /v1/employees/emp-1/logout HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded",
                                    body: "a=b")
            #expect(form.hasPrefix("HTTP/1.1 415"), "\(form)")
            let json = try await Self.raw(base, "POST /v1/handoffs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json; charset=utf-8",
                                    body: #"{"employeeId":"emp-1"}"#)
            #expect(!json.hasPrefix("HTTP/1.1 415"), "JSON passes the guard: \(json)")
            let bare = try await Self.raw(base, "POST /v1/employees/emp-1/logout HTTP/1.1\r\nHost: 127.0.0.1")
            #expect(!bare.hasPrefix("HTTP/1.1 415"), "no body, no type: \(bare)")
            let preflight = try await Self.raw(base, "OPTIONS /v1/handoffs HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1:9\r\n"
                                               + "Access-Control-Request-Method: POST")
            #expect(!preflight.lowercased().contains("access-control-allow"), "\(preflight)")
        }
    }

    /// What schemathesis found, each kept as a test: a method the path does not serve is 405 with
    /// Allow; a parameter given twice, a limit that is not a number and a requester that is not an
    /// e-mail are 400 invalid_parameter; a blank query is 400 missing_parameter.
    @Test func contractFindingsStayFixed() async throws {
        let (store, directory) = try HostAPITests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await HostAPITests.withAPI(store: store) { base, _ in
            let trace = try await Self.raw(base, "TRACE /v1/tickets/500X HTTP/1.1\r\nHost: 127.0.0.1")
            #expect(trace.hasPrefix("HTTP/1.1 405") && trace.lowercased().contains("allow: get, patch") && trace.contains("method_not_allowed"), "\(trace)")
            let unknown = try await Self.raw(base, "GET /v1/nothing HTTP/1.1\r\nHost: 127.0.0.1")
            #expect(unknown.hasPrefix("HTTP/1.1 404"), "\(unknown)")
            for (path, code) in [("/v1/tickets?requester=a@b.example&requester=c@d.example", "invalid_parameter"),
                                 ("/v1/knowledge/search?q=vpn&limit=false", "invalid_parameter"),
                                 ("/v1/tickets?requester=null", "invalid_parameter"), ("/v1/users?email=null", "invalid_parameter"),
                                 ("/v1/knowledge/search?q=%0C", "missing_parameter")] {
                let answer = try await Self.raw(base, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1")
                #expect(answer.hasPrefix("HTTP/1.1 400") && answer.contains(code), "\(path): \(answer)")
            }
            let ignored = try await Self.raw(base, "GET /healthz?x=1&x=2 HTTP/1.1\r\nHost: 127.0.0.1")
            #expect(ignored.hasPrefix("HTTP/1.1 200"), "parameters the API does not take are ignored: \(ignored)")
        }
    }

    @Test func withATokenAnyHostMayAskAndTheSchemeIsCaseInsensitive() async throws {
        let (store, directory) = try HostAPITests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let token = String(repeating: "k", count: 40)
        try await HostAPITests.withAPI(store: store, token: token) { base, _ in
            for scheme in ["Bearer", "bearer", "BEARER"] {
                let answer = try await Self.raw(base, "GET /v1/connectors HTTP/1.1\r\nHost: switchboard.internal\r\nAuthorization: \(scheme) \(token)")
                #expect(answer.hasPrefix("HTTP/1.1 200"), "\(scheme): \(answer)")
            }
            #expect(try await Self.raw(base, "GET /v1/connectors HTTP/1.1\r\nHost: switchboard.internal\r\nAuthorization: Basic \(token)").hasPrefix("HTTP/1.1 401"))
        }
    }

    @Test(arguments: [
        ("127.0.0.1", true), ("127.1.2.3", true), ("localhost", true), ("::1", true), ("::ffff:127.0.0.1", true),
        ("127.evil.example", false), ("0.0.0.0", false), ("10.0.0.1", false), ("::", false), ("127.0.0.1.nip.io", false),
        ("no-such-host.invalid", false),
    ])
    func addressesAreParsedNotMatched(_ host: String, _ loopback: Bool) {
        #expect(ListenAddress(host: host, port: 8710).isLoopback == loopback)
    }

    @Test func aListenerBeyondLoopbackNeedsAStrongToken() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let weak = ConfigFixture.base(replacing: 3, with: "  listen: 0.0.0.0:8710\n  api_token: short-token")
        let error = #expect(throws: ConfigError.self) { try fixture.load(weak) }
        #expect(error?.diagnostics.contains { $0.path == "host.api_token" && $0.message.contains("at least 32") } == true)
        let disguised = ConfigFixture.base(replacing: 3, with: "  listen: 127.evil.example:8710")
        let refused = #expect(throws: ConfigError.self) { try fixture.load(disguised) }
        #expect(refused?.diagnostics.contains { $0.path == "host.listen" && $0.message.contains("api_token must be set") } == true)
        let strong = ConfigFixture.base(replacing: 3, with: "  listen: 0.0.0.0:8710\n  api_token: \(String(repeating: "x", count: 44))")
        #expect(try fixture.load(strong).listen.port == 8710)
    }

    /// No path runs the API open: a HostAPI beyond loopback without a token refuses to be built, and
    /// a token reference that does not resolve stops the host instead of serving without one.
    @Test func theAPINeverFailsOpen() async throws {
        let (store, directory) = try HostAPITests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let open = #expect(throws: ConnectorError.self) {
            try HostAPI(address: ListenAddress(host: "0.0.0.0", port: 0), token: nil, board: ConnectorStatusBoard(), store: store,
                        metrics: nil, logger: HostAPITests.quiet)
        }
        #expect(open?.code == .misconfigured)
        let yaml = """
            version: 1
            host: { listen: "127.0.0.1:0", api_token: env:SWITCHBOARD_TOKEN_THAT_IS_NOT_SET }
            connectors: {}
            """
        let configuration = try ConfigLoader(registry: ModuleRegistry([]), environment: [:], checksSecrets: false)
            .load(text: yaml, file: "connectors.yaml", baseDirectory: directory)
        let runtime = try HostRuntime(configuration: configuration, registry: ModuleRegistry([]), storage: .sqlite(store), logger: HostAPITests.quiet)
        let transport = HTTPTransport(logger: HostAPITests.quiet)
        #expect(throws: VaultError.self) { _ = try runtime.services(http: transport) }
        try await transport.shutdown()
    }
}
