import ConnectorKit
import Foundation
import SalesforceConnector
import SalesforceSandbox
import Synchronization
import Testing

/// The token provider and the 401 path, seen from the sandbox's side.
@Suite("Access tokens against the sandbox: single flight, expiry, 401 re-authentication")
struct TokenAgainstSandboxTests {
    @Test func thousandConcurrentCallersCauseOneTokenRequest() async throws {
        try await SalesforceSandbox.withRunning(configuration: SandboxFixture.configuration()) { sandbox in
            let base = await sandbox.baseURL()
            let transport = SandboxFixture.transport()
            let auth = try SandboxFixture.auth(base, transport: transport)
            let tokens = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<1000 { group.addTask { try await auth.token() } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(tokens.count == 1)
            #expect(sandbox.org.stats.tokenRequests == 1, "exactly one token request on an empty cache")

            // Invalidated (as after a 401): again one request for a thousand callers.
            auth.invalidate(tokens.first!)
            let second = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<1000 { group.addTask { try await auth.token() } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(second.count == 1 && second != tokens)
            #expect(sandbox.org.stats.tokenRequests == 2)
            try await transport.shutdown()
        }
    }

    @Test func aFailedRefreshReachesEveryWaiter() async throws {
        try await SalesforceSandbox.withRunning(configuration: SandboxFixture.configuration()) { sandbox in
            let base = await sandbox.baseURL()
            let transport = SandboxFixture.transport(maxAttempts: 2)
            let auth = try SandboxFixture.auth(base, transport: transport, username: "stranger@acme.example")
            let failures = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<200 { group.addTask { (try? await auth.token()) == nil } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(failures == 200)
            #expect(sandbox.org.stats.tokenRequests == 1, "one refused request, its failure shared by all 200 callers")
            try await transport.shutdown()
        }
    }

    @Test func unauthorizedReauthenticatesOnceThenSucceeds() async throws {
        try await SalesforceSandbox.withRunning(configuration: SandboxFixture.configuration()) { sandbox in
            let base = await sandbox.baseURL()
            let transport = SandboxFixture.transport()
            let auth = try SandboxFixture.auth(base, transport: transport)
            let url = "\(base)/services/data/v62.0/limits"
            #expect(try await transport.send(.init(url: url, authorization: auth)).status == 200)
            // The next request finds its session expired: 401, one new assertion, then success.
            sandbox.faults.add(FaultRule(path: "/services/data/v62.0/limits", expireToken: true, times: 1))
            let response = try await transport.send(.init(url: url, authorization: auth))
            #expect(response.status == 200 && response.attempts == 2)
            #expect(sandbox.org.stats.tokenRequests == 2)

            // A session that expires on its own (short lifetime) takes the same path.
            sandbox.org.expireAllTokens()
            #expect(try await transport.send(.init(url: url, authorization: auth)).status == 200)
            #expect(sandbox.org.stats.tokenRequests == 3)
            try await transport.shutdown()
        }
    }

    @Test func aSecond401IsFinal() async throws {
        try await SalesforceSandbox.withRunning(configuration: SandboxFixture.configuration()) { sandbox in
            let base = await sandbox.baseURL()
            let transport = SandboxFixture.transport()
            let auth = try SandboxFixture.auth(base, transport: transport)
            sandbox.faults.add(FaultRule(path: "/services/data/v62.0/limits", status: 401))
            let response = try await transport.send(.init(url: "\(base)/services/data/v62.0/limits", authorization: auth))
            #expect(response.status == 401 && response.attempts == 2, "re-authenticated once, then the 401 is the answer")
            #expect(String(decoding: response.body, as: UTF8.self).contains("INVALID_SESSION_ID"))
            try await transport.shutdown()
        }
    }

    @Test func tokensExpireAfterTheConfiguredLifetime() async throws {
        try await SalesforceSandbox.withRunning(configuration: SandboxFixture.configuration(tokenLifetime: .seconds(3))) { sandbox in
            let base = await sandbox.baseURL()
            let transport = SandboxFixture.transport()
            let session = try await SandboxFixture.auth(base, transport: transport).session()
            let url = "\(base)/services/data/v62.0/limits"
            let headers = [("Authorization", "Bearer \(session.accessToken)")]
            #expect(try await transport.send(.init(url: url, headers: headers)).status == 200)
            // Wait for the state (expiry), not for a fixed time.
            var status = 200
            while status == 200 {
                try await Task.sleep(for: .milliseconds(50))
                status = try await transport.send(.init(url: url, headers: headers)).status
            }
            #expect(status == 401)
            try await transport.shutdown()
        }
    }
}
