import Foundation

/// The host's encrypted vault file (`vault.path` in `connectors.yaml`).
///
/// Every value is sealed with AES-256-GCM under the master key, with a fresh random nonce per
/// entry and the entry's name as authenticated data, so entries cannot be swapped or altered
/// unnoticed. Writes are atomic (temporary file, `fsync`, `rename`) and serialized with a file
/// lock, so concurrent `vault set`s all land and a crash never leaves a half-written vault. The file
/// is created with mode 0600.
public struct VaultFile: Sendable {
    /// The vault's path.
    public let path: String

    /// Points at a vault file; nothing is read until an operation needs it.
    public init(path: String) { self.path = path }

    /// Whether the file exists.
    public var exists: Bool { FileManager.default.fileExists(atPath: path) }

    /// Creates a new, empty vault sealed with `masterKey`. Refuses to overwrite an existing one.
    public func create(masterKey: MasterKey) throws(VaultError) {
        try AtomicFile.ensureParentDirectory(of: path)
        try AtomicFile.withExclusiveLock(path) { () throws(VaultError) in
            guard !exists else { throw .vaultExists(path) }
            try save(try sealedEmpty(masterKey))
        }
    }

    /// The entry names and their sizes in bytes. Needs no master key.
    public func entries() throws(VaultError) -> [VaultEntryInfo] {
        try load().sizes().map { VaultEntryInfo(name: $0.name, size: $0.size) }
    }

    /// Whether an entry exists. Needs no master key.
    public func contains(_ name: String) throws(VaultError) -> Bool { try load().entries[name] != nil }

    /// Opens one entry.
    public func secret(named name: String, masterKey: MasterKey) throws(VaultError) -> Secret {
        let file = try load()
        try file.verify(key: masterKey, path: path)
        return try file.open(entry: name, key: masterKey, path: path)
    }

    /// Stores (or replaces) an entry.
    public func set(_ name: String, to secret: Secret, masterKey: MasterKey) throws(VaultError) {
        guard VaultEntryName.isValid(name) else { throw .invalidEntryName(name) }
        guard secret.byteCount <= VaultError.maximumSecretSize else {
            throw .tooLarge("the value for '\(name)'", size: secret.byteCount)
        }
        try AtomicFile.withExclusiveLock(path) { () throws(VaultError) in
            var file = try load()
            try file.verify(key: masterKey, path: path)
            let sealed: String
            do {
                sealed = try secret.withRevealedBytes {
                    try VaultFileFormat.seal($0, key: masterKey, aad: VaultFileFormat.entryAAD(name))
                }
            } catch { throw .io(path, "sealing failed") }
            file.entries[name] = .init(sealed: sealed)
            try save(file)
        }
    }

    /// Removes an entry. Returns whether it existed.
    @discardableResult
    public func remove(_ name: String, masterKey: MasterKey) throws(VaultError) -> Bool {
        try AtomicFile.withExclusiveLock(path) { () throws(VaultError) -> Bool in
            var file = try load()
            try file.verify(key: masterKey, path: path)
            guard file.entries.removeValue(forKey: name) != nil else { return false }
            try save(file)
            return true
        }
    }

    /// Checks that `masterKey` opens the vault and that every entry authenticates.
    public func verifyAll(masterKey: MasterKey) throws(VaultError) {
        let file = try load()
        try file.verify(key: masterKey, path: path)
        for name in file.entries.keys.sorted() { _ = try file.open(entry: name, key: masterKey, path: path) }
    }

    private func load() throws(VaultError) -> VaultFileFormat {
        try VaultFileFormat.decode(try AtomicFile.read(path), path: path)
    }

    private func sealedEmpty(_ key: MasterKey) throws(VaultError) -> VaultFileFormat {
        do { return try VaultFileFormat.empty(key: key) } catch { throw .io(path, "sealing failed") }
    }

    private func save(_ file: VaultFileFormat) throws(VaultError) {
        let data: Data
        do { data = try file.encoded() } catch { throw .io(path, "encoding failed") }
        try AtomicFile.write(data, to: path)
    }
}

/// A vault entry as `vault list` shows it: its name and the size of its value. Never the value.
public struct VaultEntryInfo: Sendable, Hashable, Codable {
    /// The entry name.
    public var name: String
    /// The value's size in bytes.
    public var size: Int

    /// Creates an entry description.
    public init(name: String, size: Int) {
        self.name = name
        self.size = size
    }
}
