import ConnectorKit
import Foundation
import Testing
@testable import SwitchboardHost

@Suite("connectors.yaml: valid files")
struct ConfigLoaderTests {
    @Test func loadsTheBaseFileWithDefaultsAndTypes() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let configuration = try fixture.load(ConfigFixture.base)
        #expect(configuration.listen == ListenAddress(host: "127.0.0.1", port: 8710))
        #expect(configuration.store == .sqlite(path: ".switchboard/state.db"))
        #expect(configuration.shutdownTimeout == .seconds(10))
        #expect(configuration.vault.vaultPath == fixture.directory + "/vault.json")
        #expect(configuration.vault.masterKey == SecretReference(.env, "TEST_MASTER_KEY"))
        let acme = try #require(configuration.connectors.first)
        #expect(acme.name == "acme" && acme.module == "example")
        #expect(acme.features == [.ticketing, .knowledge])
        #expect(acme.location == SourceLocation(file: "connectors.yaml", line: 8, column: 3))
        #expect(acme.settings.value(at: "org.login_url") == .keyword("sandbox"))
        #expect(acme.settings.value(at: "org.api_version") == .string("62.0"), "default applied")
        #expect(acme.settings.value(at: "auth.private_key") == .secret(SecretReference(.vault, "sf-jwt-key")))
        #expect(acme.settings.value(at: "ticketing.watch_interval") == .duration(.seconds(60)))
        #expect(acme.settings.value(at: "knowledge.languages") == .list([.string("en_US"), .string("de")]))
        #expect(acme.settings.value(at: "knowledge.schedule") == .duration(.seconds(3600)))
        #expect(acme.settings.value(at: "knowledge.fields.body") == .string("Body__c"))
        #expect(configuration.warnings.isEmpty)
    }

    /// A sandbox connector's missing `file:` key is accepted (the executable generates it for the
    /// sandbox); the same file under a real org is an error.
    @Test func sandboxConnectorsMayNameKeyFilesThatDoNotExistYet() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let sandbox = ConfigFixture.base(replacing: 15, with: "      private_key: file:keys/not-yet.pem")
        #expect(try fixture.load(sandbox).connectors.first?.settings.value(at: "auth.private_key") == .secret(SecretReference(.file, "keys/not-yet.pem")))
        let real = sandbox.replacingOccurrences(of: "{ login_url: sandbox }", with: "{ login_url: https://login.salesforce.com }")
        #expect(throws: ConfigError.self) { try fixture.load(real) }
    }

    /// `validate` opens the vault entries as `run` does: a master key that does not open the vault,
    /// or an entry altered on disk, is an error at the reference — with no value in the message.
    @Test func vaultEntriesAreOpenedNotJustListed() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        var wrongKey = fixture.environment
        wrongKey["TEST_MASTER_KEY"] = try MasterKey.generate().encoded.revealedString()
        let loader = ConfigLoader(registry: fixture.loader.registry, environment: wrongKey)
        let refused = #expect(throws: ConfigError.self) {
            try loader.load(text: ConfigFixture.base, file: "connectors.yaml", baseDirectory: fixture.directory)
        }
        let diagnostic = refused?.diagnostics.first { $0.path == "connectors.acme.auth.private_key" }
        #expect(diagnostic?.message.contains("vault:sf-jwt-key cannot be resolved") == true, "\(String(describing: refused?.diagnostics))")
        #expect(diagnostic?.location?.line == 15)

        // One byte of the entry's ciphertext changed on disk.
        let path = fixture.directory + "/vault.json"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let entry = try #require(text.range(of: "\"sf-jwt-key\""))
        let marker = try #require(text.range(of: #""sealed"\s*:\s*""#, options: .regularExpression, range: entry.upperBound..<text.endIndex))
        let index = text.index(marker.upperBound, offsetBy: 20)
        text.replaceSubrange(index...index, with: text[index] == "A" ? "B" : "A")
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let tampered = #expect(throws: ConfigError.self) { try fixture.load(ConfigFixture.base) }
        #expect(tampered?.diagnostics.contains { $0.path == "connectors.acme.auth.private_key" } == true, "\(String(describing: tampered?.diagnostics))")
        for secret in fixture.canaries.values {
            #expect(tampered?.description.contains(secret) == false)
        }
    }

    /// A path setting is resolved against the configuration's folder, and one that must exist but
    /// does not is an error at its line — caught by validate, not at the first sync.
    @Test func pathSettingsAreResolvedAndChecked() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        try FileManager.default.createDirectory(atPath: fixture.directory + "/data", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: fixture.directory + "/data/users.csv", contents: Data("email\n".utf8))
        let present = ConfigFixture.base + "\n      export_file: data/users.csv"
        let value = try fixture.load(present).connectors[0].settings.value(at: "knowledge.export_file")
        #expect(value == .string(fixture.directory + "/data/users.csv"))
        let missing = ConfigFixture.base + "\n      export_file: data/nope.csv"
        let error = #expect(throws: ConfigError.self) { try fixture.load(missing) }
        let diagnostic = error?.diagnostics.first { $0.path == "connectors.acme.knowledge.export_file" }
        #expect(diagnostic?.message.contains("'data/nope.csv' does not exist") == true && diagnostic?.location?.line == 20, "\(String(describing: error))")
    }

    @Test func interpolatesVariablesWithDefaultsAndEscapes() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        var text = ConfigFixture.base(replacing: 14, with: "      username: ${SF_USER}")
        text = text.replacingOccurrences(of: "listen: 127.0.0.1:8710", with: "listen: ${LISTEN:-127.0.0.1:9000}\n  store: sqlite:${STATE_DIR:-state}/db.sqlite")
        text = text.replacingOccurrences(of: "case_origin: Chat", with: "case_origin: \"$${literal}\"")
        let configuration = try fixture.load(text)
        #expect(configuration.listen.port == 9000)
        #expect(configuration.store == .sqlite(path: "state/db.sqlite"))
        #expect(configuration.connectors[0].settings.value(at: "auth.username") == .string("integration@acme.example"))
        #expect(configuration.connectors[0].settings.value(at: "ticketing.case_origin") == .string("${literal}"))
    }

    @Test func warnsAboutSectionsOfDisabledFeatures() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let configuration = try fixture.load(ConfigFixture.base(replacing: 10, with: "    features: [ticketing]"))
        #expect(configuration.warnings.map(\.description) == [
            "connectors.yaml:17:5: warning: connectors.acme.knowledge: ignored: the knowledge feature is not enabled on this connector"
        ])
    }

    @Test func apiTokenMayBeLiteralOrReferenceAndEmptyMeansNone() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let withEmpty = ConfigFixture.base(replacing: 3, with: "  listen: 127.0.0.1:8710\n  api_token: ${SWITCHBOARD_API_TOKEN:-}")
        #expect(try fixture.load(withEmpty).apiToken == nil)
        let withReference = ConfigFixture.base(replacing: 3, with: "  listen: 0.0.0.0:8710\n  api_token: file:token.txt")
        #expect(try fixture.load(withReference).apiToken == .reference(SecretReference(.file, "token.txt")))
        let literal = ConfigFixture.base(replacing: 3, with: "  listen: 0.0.0.0:8710\n  api_token: ${TEST_CONSUMER_KEY}")
        let configuration = try fixture.load(literal)
        #expect(configuration.apiToken == .literal(Secret(fixture.canaries.values[0])))
        #expect(!"\(configuration)".contains(fixture.canaries.values[0]), "a loaded configuration never prints a literal token")
    }

    @Test func emptyConnectorListIsValid() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        #expect(try fixture.load("version: 1\nconnectors: {}\n").connectors.isEmpty)
        #expect(try fixture.load("version: 1\nconnectors:\n").connectors.isEmpty)
        #expect(try fixture.load("version: 1\n").connectors.isEmpty)
    }

    @Test func missingFileSaysWhatToDo() {
        let error = #expect(throws: ConfigError.self) {
            try ConfigLoader(registry: ModuleRegistry()).load(path: "/nonexistent/connectors.yaml")
        }
        #expect(error?.description.hasPrefix("/nonexistent/connectors.yaml: no such file; pass --config PATH") == true)
    }

    @Test func emptyFileIsAnError() throws {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        let error = #expect(throws: ConfigError.self) { try fixture.load("# nothing\n") }
        #expect(error?.errors.first?.message.contains("version: 1") == true)
    }
}

@Suite("Interpolation")
struct InterpolationTests {
    @Test func expands() throws {
        let env = ["A": "1", "EMPTY": ""]
        #expect(try Interpolation.expand("x${A}y", environment: env).get() == "x1y")
        #expect(try Interpolation.expand("${B:-def}", environment: env).get() == "def")
        #expect(try Interpolation.expand("${EMPTY:-def}", environment: env).get() == "def")
        #expect(try Interpolation.expand("${EMPTY}", environment: env).get() == "")
        #expect(try Interpolation.expand("$${A} $A", environment: env).get() == "${A} $A")
        #expect(try Interpolation.expand("${B:-}", environment: env).get() == "")
    }

    @Test func failsWithOffsets() {
        #expect(Interpolation.expand("ab${MISSING}", environment: [:]) == .failure(.init(offset: 2, message: "environment variable MISSING is not set and ${MISSING} has no default (write ${MISSING:-default} to give one)")))
        if case .failure(let failure) = Interpolation.expand("x${A", environment: [:]) { #expect(failure.offset == 1) } else { Issue.record("expected failure") }
        if case .failure(let failure) = Interpolation.expand("${1A}", environment: [:]) { #expect(failure.message.contains("not a variable reference")) } else { Issue.record("expected failure") }
    }
}

@Suite("ListenAddress")
struct ListenAddressTests {
    @Test func parses() {
        #expect(ListenAddress(parsing: "127.0.0.1:8710") == ListenAddress(host: "127.0.0.1", port: 8710))
        #expect(ListenAddress(parsing: "[::1]:80")?.isLoopback == true)
        #expect(ListenAddress(parsing: "localhost:0")?.isLoopback == true)
        #expect(ListenAddress(parsing: "0.0.0.0:8710")?.isLoopback == false)
        #expect(ListenAddress(parsing: "host") == nil)
        #expect(ListenAddress(parsing: "host:70000") == nil)
        #expect(ListenAddress(parsing: ":80") == nil)
    }
}
