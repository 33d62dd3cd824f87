import ConnectorKit
import Testing
@testable import SwitchboardHost

/// What a reload changes: connectors by name, setting paths (never values, never positions), and
/// the host-level settings a running host refuses.
@Suite("Configuration changes between two loads of connectors.yaml")
struct ConfigurationChangesTests {
    static func load(_ text: String, _ fixture: ConfigFixture) throws -> HostConfiguration {
        try fixture.loader.load(text: text, file: "connectors.yaml", baseDirectory: fixture.directory)
    }

    static func changes(_ old: String, _ new: String) throws -> ConfigurationChanges {
        let (a, b) = try loadBoth(old, new)
        return ConfigurationChanges(from: a, running: a.connectors, to: b, running: b.connectors)
    }

    static func hostLevel(_ old: String, _ new: String) throws -> [String] {
        let (a, b) = try loadBoth(old, new)
        return ConfigurationChanges.hostLevelChanges(a, b)
    }

    static func loadBoth(_ old: String, _ new: String) throws -> (HostConfiguration, HostConfiguration) {
        let fixture = try ConfigFixture()
        defer { fixture.remove() }
        return (try load(old, fixture), try load(new, fixture))
    }

    static let second = """

          beta:
            module: probe
            features: [ticketing]
        """

    @Test func theSameFileChangesNothingEvenWhenItMoved() throws {
        // A comment above every connector moves them all down: where they are written does not count.
        let moved = ConfigFixture.base.replacingOccurrences(of: "connectors:\n", with: "connectors:\n  # a comment\n\n")
        let changes = try Self.changes(ConfigFixture.base, moved)
        #expect(changes.isEmpty && changes.unchanged == ["acme"])
        #expect(try Self.hostLevel(ConfigFixture.base, moved).isEmpty)
    }

    @Test func addedRemovedAndChangedConnectorsWithTheirSettingPaths() throws {
        let added = try Self.changes(ConfigFixture.base, ConfigFixture.base + Self.second)
        #expect(added.added == ["beta"] && added.unchanged == ["acme"] && added.removed.isEmpty && added.changed.isEmpty)
        let removed = try Self.changes(ConfigFixture.base + Self.second, ConfigFixture.base)
        #expect(removed.removed == ["beta"] && removed.unchanged == ["acme"])

        let interval = ConfigFixture.base.replacingOccurrences(of: "watch_interval: 60s", with: "watch_interval: 90s")
            .replacingOccurrences(of: "languages: [en_US, de]", with: "languages: [en_US]")
        let changed = try Self.changes(ConfigFixture.base, interval)
        #expect(changed.changed == [.init(name: "acme", fields: ["ticketing.watch_interval", "knowledge.languages"])])
        #expect(changed.changed.first?.description == "acme (ticketing.watch_interval, knowledge.languages)")

        let features = try Self.changes(ConfigFixture.base, ConfigFixture.base.replacingOccurrences(of: "[ticketing, knowledge]", with: "[ticketing]"))
        #expect(features.changed.first?.fields.first == "features")
    }

    @Test func aDifferentSecretReferenceIsAChangeNamedWithoutItsValue() throws {
        let rotated = ConfigFixture.base.replacingOccurrences(of: "private_key: vault:sf-jwt-key", with: "private_key: file:token.txt")
        let changes = try Self.changes(ConfigFixture.base, rotated)
        #expect(changes.changed == [.init(name: "acme", fields: ["auth.private_key"])])
        #expect(!changes.changed.description.contains("token.txt") && !changes.changed.description.contains("sf-jwt-key"))
    }

    @Test func hostAndVaultSettingsAreHostLevel() throws {
        let moved = ConfigFixture.base.replacingOccurrences(of: "listen: 127.0.0.1:8710", with: "listen: 127.0.0.1:8711\n  shutdown_timeout: 3s\n  store: sqlite:other.db")
        #expect(try Self.hostLevel(ConfigFixture.base, moved) == ["host.listen", "host.store", "host.shutdown_timeout"])
        let vault = ConfigFixture.base.replacingOccurrences(of: "path: vault.json", with: "path: ./vault.json")
        #expect(try Self.hostLevel(ConfigFixture.base, vault).isEmpty, "the same file, written differently")
        let store = ConfigFixture.base.replacingOccurrences(of: "listen: 127.0.0.1:8710", with: "listen: 127.0.0.1:8710\n  store: sqlite:./.switchboard/state.db")
        #expect(try Self.hostLevel(ConfigFixture.base, store).isEmpty, "the default store, written out")
    }
}
