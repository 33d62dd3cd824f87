import Foundation

/// How the host reads `connectors.yaml` again on a reload: supplied by the composition root, which
/// knows the external modules to describe and the built-in sandbox org to wire new connectors to.
public struct ConfigurationSource: Sendable {
    /// Reads and validates the file again; throws ``ConfigError`` with every problem.
    public var load: @Sendable () async throws -> (HostConfiguration, ModuleRegistry)
    /// Readies a valid configuration whose host settings are unchanged for this host (wires its
    /// sandbox connectors to the running sandbox org); throws ``ReloadRefusal`` for a change the
    /// running host cannot take.
    public var prepare: @Sendable (HostConfiguration, ModuleRegistry) async throws -> HostConfiguration
    /// Where each reload's ``ReloadOutcome`` is written for `switchboard reload` (nil: nowhere).
    public var outcomeFile: String?

    /// Creates a source.
    public init(outcomeFile: String?, load: @escaping @Sendable () async throws -> (HostConfiguration, ModuleRegistry),
                prepare: @escaping @Sendable (HostConfiguration, ModuleRegistry) async throws -> HostConfiguration = { configuration, _ in configuration }) {
        self.load = load
        self.prepare = prepare
        self.outcomeFile = outcomeFile
    }
}

/// A change the running host cannot apply: the reload changes nothing and the message says what a
/// restart would apply.
public struct ReloadRefusal: Error, Sendable, CustomStringConvertible {
    /// What cannot change live, and that a restart is needed.
    public var description: String

    /// Creates a refusal.
    public init(_ description: String) { self.description = description }
}

/// What one reload did, as the host writes it next to its run lock for `switchboard reload`
/// (`<store>.reload.json`). Written once when the host is ready for reloads (generation 1) and after
/// each reload.
public struct ReloadOutcome: Sendable, Hashable, Codable {
    /// The host's process id.
    public var pid: Int32
    /// When the host began reading the file (after the signal that asked for it).
    public var startedAt: Date
    /// Whether the configuration now running is the file's (false: nothing changed).
    public var applied: Bool
    /// The generation running after it.
    public var generation: Int
    /// Every problem, as `switchboard validate` prints it (`FILE:LINE:COL: field: message`), or why
    /// the change cannot apply live.
    public var errors: [String]
    /// What changed, one line each (`added: crm`, `restarted: acme (schedule.users_every)`).
    public var changes: [String]

    /// Creates an outcome.
    public init(pid: Int32, startedAt: Date, applied: Bool, generation: Int, errors: [String], changes: [String]) {
        self.pid = pid
        self.startedAt = startedAt
        self.applied = applied
        self.generation = generation
        self.errors = errors
        self.changes = changes
    }

    /// Where the outcome of the host holding the run lock at `lockPath` is written.
    public static func path(forLock lockPath: String) -> String {
        (lockPath.hasSuffix(StoreRunLock.suffix) ? String(lockPath.dropLast(StoreRunLock.suffix.count)) : lockPath) + ".reload.json"
    }

    /// Encodes it (dates as seconds since 1970, precise enough to tell a reload from the one before).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(self)
    }

    /// Reads one written by ``encoded()``; nil when the file is missing or unreadable.
    public static func read(_ path: String) -> ReloadOutcome? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try? decoder.decode(ReloadOutcome.self, from: data)
    }
}
