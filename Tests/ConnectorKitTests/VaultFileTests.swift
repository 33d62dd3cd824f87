import ConnectorKit
import Foundation
import Testing

@Suite("Vault file: AES-256-GCM entries, atomic writes")
struct VaultFileTests {
    /// A new, empty vault in a fresh folder, with its master key.
    func makeVault() throws -> (TemporaryDirectory, MasterKey, VaultFile) {
        let dir = try TemporaryDirectory()
        let key = MasterKey.generate()
        let vault = VaultFile(path: dir.file("vault.json"))
        try vault.create(masterKey: key)
        return (dir, key, vault)
    }

    @Test func roundTripsEntries() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let key = MasterKey.generate()
        let vault = VaultFile(path: dir.file("state/vault.json"))
        try vault.create(masterKey: key)
        let pem = String(repeating: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n", count: 50)
        try vault.set("sf-jwt-key", to: Secret(pem), masterKey: key)
        try vault.set("token", to: Secret("t0ken"), masterKey: key)
        #expect(try vault.secret(named: "sf-jwt-key", masterKey: key).revealedString() == pem)
        #expect(try vault.entries() == [VaultEntryInfo(name: "sf-jwt-key", size: pem.utf8.count), VaultEntryInfo(name: "token", size: 5)])
        try vault.set("token", to: Secret("replaced"), masterKey: key)
        #expect(try vault.secret(named: "token", masterKey: key).revealedString() == "replaced")
        #expect(try vault.remove("token", masterKey: key))
        #expect(try !vault.remove("token", masterKey: key))
        #expect(try vault.entries().map(\.name) == ["sf-jwt-key"])
        let raw = try String(contentsOfFile: vault.path, encoding: .utf8)
        #expect(!raw.contains("MIIEvQ"), "values must be encrypted at rest")
    }

    @Test func sameValueSealsDifferentlyEachTime() throws {
        let (dir, key, vault) = try makeVault()
        defer { dir.remove() }
        try vault.set("a", to: Secret("same value"), masterKey: key)
        let first = try String(contentsOfFile: vault.path, encoding: .utf8)
        try vault.set("a", to: Secret("same value"), masterKey: key)
        #expect(try String(contentsOfFile: vault.path, encoding: .utf8) != first, "a fresh nonce per write")
    }

    @Test func fileIsPrivateToTheOwner() throws {
        let (dir, key, vault) = try makeVault()
        defer { dir.remove() }
        try vault.set("a", to: Secret("value"), masterKey: key)
        let mode = try FileManager.default.attributesOfItem(atPath: vault.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func wrongMasterKeyIsAClearError() throws {
        let (dir, key, vault) = try makeVault()
        defer { dir.remove() }
        try vault.set("a", to: Secret("value"), masterKey: key)
        let error = #expect(throws: VaultError.self) { try vault.secret(named: "a", masterKey: MasterKey.generate()) }
        #expect(error?.isWrongMasterKey == true)
        #expect(error?.description.contains("master key does not open") == true)
        #expect(throws: VaultError.self) { try vault.set("b", to: Secret("x"), masterKey: MasterKey.generate()) }
        #expect(try vault.entries().map(\.name) == ["a"], "a refused write changes nothing")
    }

    /// Flips one bit at every byte of the file: each time the vault must refuse with an error —
    /// never hand back a different value.
    @Test func everySingleBitFlipIsDetected() throws {
        let (dir, key, vault) = try makeVault()
        defer { dir.remove() }
        try vault.set("sf-jwt-key", to: Secret("private key material"), masterKey: key)
        let original = try Data(contentsOf: URL(fileURLWithPath: vault.path))
        var undetected: [Int] = []
        for index in original.indices {
            var tampered = original
            tampered[index] ^= 0x01
            try tampered.write(to: URL(fileURLWithPath: vault.path))
            do {
                try vault.verifyAll(masterKey: key)
                let value = try vault.secret(named: "sf-jwt-key", masterKey: key)
                _ = value
                undetected.append(index)
            } catch {
                #expect(error.isTampering || error.isWrongMasterKey || error.isEntryNotFound || error.description.contains("format version"),
                        "unexpected error kind at byte \(index): \(error)")
            }
        }
        #expect(undetected.isEmpty, "bit flips at bytes \(undetected) went unnoticed")
    }

    @Test func tamperedEntryNamesTheEntry() throws {
        let (dir, key, vault) = try makeVault()
        defer { dir.remove() }
        try vault.set("a", to: Secret("value-a"), masterKey: key)
        try vault.set("b", to: Secret("value-b"), masterKey: key)
        // Swap the two sealed values: each is authenticated with its own name, so both fail.
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: vault.path))) as! [String: Any]
        var entries = json["entries"] as! [String: Any]
        (entries["a"], entries["b"]) = (entries["b"], entries["a"])
        json["entries"] = entries
        let swapped = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        try (swapped + Data("\n".utf8)).write(to: URL(fileURLWithPath: vault.path))
        let error = #expect(throws: VaultError.self) { try vault.secret(named: "a", masterKey: key) }
        #expect(error?.isTampering == true)
    }

    @Test func concurrentSetsAllLand() async throws {
        let (dir, key, vault) = try makeVault()
        defer { dir.remove() }
        // 32 writers on threads of their own (they block on the file lock, as separate processes would).
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                DispatchQueue.concurrentPerform(iterations: 32) { index in
                    try! vault.set("entry-\(index)", to: Secret("value-\(index)"), masterKey: key)
                }
                done.resume()
            }
        }
        #expect(try vault.entries().count == 32)
        try vault.verifyAll(masterKey: key)
        for index in 0..<32 { #expect(try vault.secret(named: "entry-\(index)", masterKey: key).revealedString() == "value-\(index)") }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "no temporary files left behind")
    }

    @Test func refusesSecretsOver10KiB() throws {
        let (dir, key, vault) = try makeVault()
        defer { dir.remove() }
        try vault.set("max", to: Secret(bytes: [UInt8](repeating: 65, count: 10 * 1024)), masterKey: key)
        let error = #expect(throws: VaultError.self) {
            try vault.set("big", to: Secret(bytes: [UInt8](repeating: 65, count: 10 * 1024 + 1)), masterKey: key)
        }
        #expect(error?.isTooLarge == true)
        #expect(error?.description.contains("10 KiB") == true)
    }

    @Test func refusesToOverwriteAVault() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let vault = VaultFile(path: dir.file("vault.json"))
        try vault.create(masterKey: MasterKey.generate())
        #expect(throws: VaultError.self) { try vault.create(masterKey: MasterKey.generate()) }
    }

    @Test func missingVaultSaysHowToCreateOne() throws {
        let error = #expect(throws: VaultError.self) { try VaultFile(path: "/nonexistent/vault.json").entries() }
        #expect(error?.description.contains("switchboard vault init") == true)
    }
}

@Suite("Master key")
struct MasterKeyTests {
    @Test func readsBase64AndHex() throws {
        let key = MasterKey.generate()
        let text = try key.encoded.revealedString()
        #expect(text.count == 44)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let vault = VaultFile(path: dir.file("vault.json"))
        try vault.create(masterKey: key)
        try vault.set("a", to: Secret("x"), masterKey: try MasterKey(encoded: Secret("  \(text)\n")))
        let bytes = Data(base64Encoded: text)!
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        #expect(try vault.secret(named: "a", masterKey: MasterKey(encoded: Secret(hex))).revealedString() == "x")
    }

    @Test(arguments: ["", "short", String(repeating: "A", count: 43), "passphrase with spaces", String(repeating: "g", count: 64)])
    func rejectsAnythingElse(_ text: String) {
        let error = #expect(throws: VaultError.self) { try MasterKey(encoded: Secret(text)) }
        #expect(error?.description.contains("vault init") == true)
        if text.count > 6 { #expect(error?.description.contains(text) == false, "never echo the key") }
    }
}
