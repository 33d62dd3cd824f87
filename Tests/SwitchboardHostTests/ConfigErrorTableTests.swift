import ConnectorKit
import Testing
@testable import SwitchboardHost

/// One broken file per row, each asserting the exact `file:line:col: path: message` start of the
/// diagnostic — and that no secret canary appears in any message.
@Suite("connectors.yaml errors: exact line, column and field path")
struct ConfigErrorTableTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let yaml: String
        /// The expected diagnostic's start: `connectors.yaml:L:C: path: message-prefix`.
        let expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "syntax error (unclosed flow mapping), reported where it opened",
             yaml: ConfigFixture.base(replacing: 11, with: "    org: { login_url: sandbox"),
             expected: "connectors.yaml:11:10: YAML syntax error: this flow mapping is never closed: add '}' (libyaml stopped at line 12, column 9"),
        Case(name: "syntax error (unclosed flow sequence), reported where it opened",
             yaml: ConfigFixture.base(replacing: 10, with: "    features: [ticketing, knowledge"),
             expected: "connectors.yaml:10:15: YAML syntax error: this flow sequence is never closed: add ']'"),
        Case(name: "tab indentation",
             yaml: ConfigFixture.base(replacing: 14, with: "\t  username: integration@acme.example"),
             expected: "connectors.yaml:14:1: YAML syntax error: a tab is used for indentation; YAML indents with spaces only"),
        Case(name: "unknown key with suggestion",
             yaml: ConfigFixture.base(replacing: 14, with: "      usrname: integration@acme.example"),
             expected: "connectors.yaml:14:7: connectors.acme.auth.usrname: unknown key 'usrname'; did you mean 'username'?"),
        Case(name: "the JWKS listener on the API's own address",
             yaml: ConfigFixture.base(replacing: 3, with: "  listen: 127.0.0.1:8710\n  jwks_listen: 127.0.0.1:8710"),
             expected: "connectors.yaml:4:16: host.jwks_listen: 127.0.0.1:8710 is host.listen already"),
        Case(name: "wrong type: scalar where a list is expected",
             yaml: ConfigFixture.base(replacing: 10, with: "    features: ticketing"),
             expected: "connectors.yaml:10:15: connectors.acme.features: expected a list of features, found a single value"),
        Case(name: "wrong type: list where a mapping is expected",
             yaml: ConfigFixture.base(replacing: 11, with: "    org: [sandbox]"),
             expected: "connectors.yaml:11:10: connectors.acme.org: expected a mapping of settings, found a list"),
        Case(name: "missing required key",
             yaml: ConfigFixture.base(replacing: 14, with: nil),
             expected: "connectors.yaml:13:7: connectors.acme.auth.username: missing required key 'username' (string): Integration user."),
        Case(name: "bad duration (no unit)",
             yaml: ConfigFixture.base(replacing: 16, with: "    ticketing: { case_origin: Chat, watch_interval: 60 }"),
             expected: "connectors.yaml:16:53: connectors.acme.ticketing.watch_interval: '60' is not a duration"),
        Case(name: "bad URL",
             yaml: ConfigFixture.base(replacing: 11, with: "    org: { login_url: \"htp//login\" }"),
             expected: "connectors.yaml:11:23: connectors.acme.org.login_url: 'htp//login' is not a valid URL: expected URL (https/http) or sandbox"),
        Case(name: "URL with a scheme not accepted",
             yaml: ConfigFixture.base(replacing: 11, with: "    org: { login_url: ftp://login.example.com }"),
             expected: "connectors.yaml:11:23: connectors.acme.org.login_url: URL scheme 'ftp' is not accepted here"),
        Case(name: "undefined ${VAR} without default",
             yaml: ConfigFixture.base(replacing: 14, with: "      username: user-${SF_USERNAME}"),
             expected: "connectors.yaml:14:22: connectors.acme.auth.username: environment variable SF_USERNAME is not set and ${SF_USERNAME} has no default"),
        Case(name: "duplicate connector name",
             yaml: ConfigFixture.base + "\n  acme:\n    module: example\n",
             expected: "connectors.yaml:20:3: connectors.acme: duplicate connector name 'acme' (first defined at line 8)"),
        Case(name: "duplicate key inside a section",
             yaml: ConfigFixture.base(replacing: 14, with: "      username: integration@acme.example\n      username: other@acme.example"),
             expected: "connectors.yaml:15:7: connectors.acme.auth.username: duplicate key 'username' (first defined at line 14)"),
        Case(name: "unknown module",
             yaml: ConfigFixture.base(replacing: 9, with: "    module: exampel"),
             expected: "connectors.yaml:9:13: connectors.acme.module: unknown module 'exampel'; available: example, probe"),
        Case(name: "unknown feature",
             yaml: ConfigFixture.base(replacing: 10, with: "    features: [ticketing, knowlege]"),
             expected: "connectors.yaml:10:27: connectors.acme.features[1]: unknown feature 'knowlege'; known features: knowledge, live-agent, ticketing, user-ingestion"),
        Case(name: "feature the module does not provide",
             yaml: ConfigFixture.base(replacing: 10, with: "    features: [ticketing, live-agent]"),
             expected: "connectors.yaml:10:27: connectors.acme.features[1]: module 'example' does not provide the live-agent feature; it provides: ticketing, user-ingestion, knowledge"),
        Case(name: "secret reference to a missing vault entry",
             yaml: ConfigFixture.base(replacing: 15, with: "      private_key: vault:sf-jwt-kee"),
             expected: "connectors.yaml:15:20: connectors.acme.auth.private_key: secret vault:sf-jwt-kee not found: no entry 'sf-jwt-kee' in the vault"),
        Case(name: "secret reference to an unset environment variable",
             yaml: ConfigFixture.base(replacing: 13, with: "      consumer_key: env:SF_CONSUMER_KEY"),
             expected: "connectors.yaml:13:21: connectors.acme.auth.consumer_key: secret env:SF_CONSUMER_KEY cannot be resolved: environment variable SF_CONSUMER_KEY is not set"),
        Case(name: "secret reference to a missing file",
             yaml: ConfigFixture.base(replacing: 13, with: "      consumer_key: file:keys/consumer.txt")
                .replacingOccurrences(of: "{ login_url: sandbox }", with: "{ login_url: https://test.salesforce.com }"),
             expected: "connectors.yaml:13:21: connectors.acme.auth.consumer_key: secret file:keys/consumer.txt cannot be resolved: cannot read secret file"),
        Case(name: "literal secret (never echoed)",
             yaml: ConfigFixture.base(replacing: 13, with: "      consumer_key: ${TEST_CONSUMER_KEY}"),
             expected: "connectors.yaml:13:21: connectors.acme.auth.consumer_key: a literal secret is not accepted here"),
        Case(name: "value not in the allowed set",
             yaml: ConfigFixture.base(replacing: 16, with: "    ticketing: { priority: Urgent }"),
             expected: "connectors.yaml:16:28: connectors.acme.ticketing.priority: 'Urgent' is not allowed: expected one of: Low, Medium, High"),
        Case(name: "integer out of range",
             yaml: ConfigFixture.base(replacing: 18, with: "      page_size: 50"),
             expected: "connectors.yaml:18:18: connectors.acme.knowledge.page_size: must be at least 200, found 50"),
        Case(name: "list item of the wrong type",
             yaml: ConfigFixture.base(replacing: 18, with: "      languages: [en_US, {de: 1}]"),
             expected: "connectors.yaml:18:26: connectors.acme.knowledge.languages[1]: expected string, found a mapping"),
        Case(name: "unsupported version",
             yaml: ConfigFixture.base(replacing: 1, with: "version: 2"),
             expected: "connectors.yaml:1:10: version: must be at most 1, found 2"),
        Case(name: "missing version",
             yaml: ConfigFixture.base(replacing: 1, with: "# no version"),
             expected: "connectors.yaml:2:1: version: missing required key 'version'"),
        Case(name: "non-loopback listen without an API token",
             yaml: ConfigFixture.base(replacing: 3, with: "  listen: 0.0.0.0:8710"),
             expected: "connectors.yaml:3:11: host.listen: listening on 0.0.0.0:8710 is reachable from other machines, so host.api_token must be set"),
        Case(name: "store that is neither sqlite nor postgres",
             yaml: ConfigFixture.base(replacing: 3, with: "  store: mysql://db/switchboard"),
             expected: "connectors.yaml:3:10: host.store: 'mysql://db/switchboard' is not a store: expected sqlite:PATH"),
        Case(name: "postgres store without a user",
             yaml: ConfigFixture.base(replacing: 3, with: "  store: postgres://db/switchboard"),
             expected: "connectors.yaml:3:10: host.store: the PostgreSQL store needs a user and a host"),
        Case(name: "postgres store with its password in the URL",
             yaml: ConfigFixture.base(replacing: 3, with: "  store: postgres://sb:hunter2@db/switchboard"),
             expected: "connectors.yaml:3:10: host.store: the PostgreSQL store carries a password: set host.store_password"),
        Case(name: "unknown top-level key",
             yaml: ConfigFixture.base(replacing: 1, with: "version: 1\nconectors: {}"),
             expected: "connectors.yaml:2:1: conectors: unknown key 'conectors'; did you mean 'connectors'?"),
        Case(name: "boolean that is not true or false",
             yaml: ConfigFixture.base(replacing: 18, with: "      enabled: yes"),
             expected: "connectors.yaml:18:16: connectors.acme.knowledge.enabled: expected true or false, found 'yes'"),
        Case(name: "event streams that would take every connection",
             yaml: ConfigFixture.base(replacing: 3, with: "  listen: 127.0.0.1:8710\n  max_connections: 100\n  max_event_streams: 100"),
             expected: "connectors.yaml:5:22: host.max_event_streams: 100 event streams would take every one of the 100 connections"),
        Case(name: "invalid connector name",
             yaml: ConfigFixture.base(replacing: 8, with: "  Acme Corp:"),
             expected: "connectors.yaml:8:3: connectors.Acme Corp: connector names use lowercase letters"),
    ]

    @Test(arguments: cases)
    func reportsExactPosition(_ testCase: Case) throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let error = #expect(throws: ConfigError.self) { try fixture.load(testCase.yaml) }
        let messages = error?.errors.map(\.description) ?? []
        #expect(messages.contains { $0.hasPrefix(testCase.expected) }, "expected a diagnostic starting with:\n\(testCase.expected)\ngot:\n\(messages.joined(separator: "\n"))")
        #expect(messages.count == 1, "exactly one error expected, got:\n\(messages.joined(separator: "\n"))")
        let leaks = fixture.canaries.leaks(in: error?.description ?? "")
        #expect(leaks.isEmpty, "secret canary in a message: \(error?.description ?? "")")
    }

    @Test func reportsEveryErrorAtOnce() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let yaml = """
            version: 3
            host:
              listen: 127.0.0.1:99999
              colour: blue
            connectors:
              one:
                module: example
                features: [ticketing, bogus]
                org: { login_url: sandbox, api_version: }   # empty optional value: the default applies
                auth:
                  consumer_key: env:NOPE
                  username: ${NOPE_USER}
                  private_key: vault:missing
              two:
                module: nope
                features: []
            """
        let error = #expect(throws: ConfigError.self) { try fixture.load(yaml) }
        let lines = error?.errors.map(\.description) ?? []
        let expectedStarts = [
            "connectors.yaml:1:10: version:",
            "connectors.yaml:3:11: host.listen:",
            "connectors.yaml:4:3: host.colour:",
            "connectors.yaml:8:27: connectors.one.features[1]:",
            "connectors.yaml:11:21: connectors.one.auth.consumer_key:",
            "connectors.yaml:12:17: connectors.one.auth.username:",
            "connectors.yaml:13:20: connectors.one.auth.private_key: secret vault:missing not found: no vault at",
            "connectors.yaml:13:20: connectors.one.auth.private_key: the vault is used, but its master key env:SWITCHBOARD_MASTER_KEY cannot be read",
            "connectors.yaml:15:13: connectors.two.module:",
            "connectors.yaml:16:15: connectors.two.features: enable at least one feature",
        ]
        #expect(lines.count == expectedStarts.count, "got:\n\(lines.joined(separator: "\n"))")
        for (line, start) in zip(lines, expectedStarts) { #expect(line.hasPrefix(start), "\(line) should start with \(start)") }
        #expect(error?.description.hasSuffix("10 errors in connectors.yaml") == true)
    }
}
