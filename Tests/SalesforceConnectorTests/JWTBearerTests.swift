import ConnectorKit
import Foundation
import SalesforceConnector
import SalesforceSandbox
import Testing

/// The OAuth 2.0 JWT bearer flow against the sandbox's token endpoint, which verifies the
/// assertion with jwt-kit against the registered certificate.
@Suite("JWT bearer flow against the sandbox")
struct JWTBearerTests {
    @Test func successGivesATokenAndTheInstanceURL() async throws {
        try await SalesforceSandbox.withRunning(configuration: SandboxFixture.configuration()) { sandbox in
            let base = await sandbox.baseURL()
            let transport = SandboxFixture.transport()
            let session = try await SandboxFixture.auth(base, transport: transport).session()
            #expect(session.instanceURL == base)
            #expect(session.accessToken.hasPrefix("00DSBX000000001!"))
            #expect(!session.description.contains(session.accessToken), "the token never appears in descriptions")
            // The token works on the REST API.
            let response = try await transport.send(.init(url: "\(base)/services/data/v62.0/limits",
                                                          headers: [("Authorization", "Bearer \(session.accessToken)")]))
            #expect(response.status == 200)
            #expect(response.header("Sforce-Limit-Info") == "api-usage=1/100000")
            try await transport.shutdown()
        }
    }

    /// Each refusal is its own error, and says what to fix.
    @Test(arguments: Refusal.allCases)
    func refusalsAreDistinctAndReadable(_ refusal: Refusal) async throws {
        try await SalesforceSandbox.withRunning(configuration: SandboxFixture.configuration()) { sandbox in
            let base = await sandbox.baseURL()
            let transport = SandboxFixture.transport()
            let auth: SalesforceJWTBearerAuth = switch refusal {
            case .wrongCertificate: try SandboxFixture.auth(base, transport: transport, key: SandboxFixture.otherKey)
            case .wrongAudience: try SandboxFixture.auth(base, transport: transport, audience: "https://login.example.com")
            case .expiredAssertion:
                // A clock ten minutes slow makes exp (now + 180 s) already past for the server.
                try SandboxFixture.auth(base, transport: transport, clock: ConnectorClock(now: { Date().addingTimeInterval(-600) }, sleep: { _ in }))
            case .unknownConsumerKey: try SandboxFixture.auth(base, transport: transport, consumerKey: "3MVGnotRegistered")
            case .userNotApproved: try SandboxFixture.auth(base, transport: transport, username: "stranger@acme.example")
            }
            let error = try await #require(throws: SalesforceAuthError.self) { try await auth.token() }
            switch refusal {
            case .wrongCertificate:
                #expect(error.isInvalidAssertion && error.description.contains("certificate"))
            case .wrongAudience:
                #expect(error.isAudienceInvalid && error.description.contains("https://login.example.com")
                    && error.description.contains("https://test.salesforce.com"))
            case .expiredAssertion:
                #expect(error.isAssertionExpired && error.description.contains("clock"))
            case .unknownConsumerKey:
                #expect(error.isUnknownConsumerKey && error.description.contains("auth.consumer_key"))
            case .userNotApproved:
                #expect(error.isUserNotApproved && error.description.contains("stranger@acme.example")
                    && error.description.contains("pre-authorized"))
            }
            #expect(sandbox.org.stats.tokenRequests == 1, "a refusal is a configuration error: not retried")
            #expect(sandbox.org.stats.tokensIssued == 0)
            try await transport.shutdown()
        }
    }

    enum Refusal: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case wrongCertificate, wrongAudience, expiredAssertion, unknownConsumerKey, userNotApproved
        var testDescription: String { rawValue }
    }

    /// A 500 from the token endpoint is a Salesforce-side failure: retried (minting again is
    /// harmless), and when it lasts, said to be Salesforce's — not blamed on org.login_url.
    @Test func tokenEndpoint500IsRetriedAndNotBlamedOnTheSettings() async throws {
        try await SalesforceSandbox.withRunning(configuration: SandboxFixture.configuration()) { sandbox in
            let transport = SandboxFixture.transport(maxAttempts: 3)
            let base = await sandbox.baseURL()
            sandbox.faults.add(FaultRule(path: "/services/oauth2/token", status: 500, times: 1))
            let session = try await SandboxFixture.auth(base, transport: transport).session()
            #expect(!session.accessToken.isEmpty, "the second attempt got the token")
            sandbox.faults.add(FaultRule(path: "/services/oauth2/token", status: 500))
            let failure = await #expect(throws: SalesforceAuthError.self) { try await SandboxFixture.auth(base, transport: transport).session() }
            #expect(failure?.isUnavailable == true)
            #expect(failure.map { !$0.description.contains("login_url") && $0.description.contains("HTTP 500") } == true, "\(String(describing: failure))")
            try await transport.shutdown()
        }
    }

    /// The sandbox reproduces the reference's exact error shape.
    @Test func tokenEndpointErrorShape() async throws {
        try await SalesforceSandbox.withRunning(configuration: SandboxFixture.configuration()) { sandbox in
            let base = await sandbox.baseURL()
            let transport = SandboxFixture.transport()
            let wrongGrant = try await transport.send(.init(method: "POST", url: "\(base)/services/oauth2/token",
                                                            headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                                            body: Array("grant_type=password".utf8)))
            #expect(wrongGrant.status == 400)
            #expect(String(decoding: wrongGrant.body, as: UTF8.self)
                == #"{"error":"unsupported_grant_type","error_description":"grant type not supported"}"#)
            let garbage = try await transport.send(.init(method: "POST", url: "\(base)/services/oauth2/token",
                                                         headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                                         body: Array("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=abc".utf8)))
            #expect(String(decoding: garbage.body, as: UTF8.self) == #"{"error":"invalid_grant","error_description":"invalid assertion"}"#)
            try await transport.shutdown()
        }
    }
}
