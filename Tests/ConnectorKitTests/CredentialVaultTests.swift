import ConnectorKit
import ConnectorKitTesting
import Foundation
import Testing

@Suite("CredentialVault resolves env:, file: and vault: references")
struct CredentialVaultTests {
    @Test func resolvesEachKindAndRegistersForRedaction() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let canaries = SecretCanaries(count: 3)
        let key = MasterKey.generate()
        try VaultFile(path: dir.file("vault.json")).create(masterKey: key)
        try VaultFile(path: dir.file("vault.json")).set("v", to: Secret(canaries.values[2]), masterKey: key)
        try dir.write("keys/token.txt", canaries.values[1] + "\n")
        let redactor = SecretRedactor()
        let vault = CredentialVault(
            configuration: .init(
                vaultPath: dir.file("vault.json"), masterKey: SecretReference(.env, "MK"), baseDirectory: dir.path,
                environment: ["A": canaries.values[0], "MK": try key.encoded.revealedString()]),
            redactor: redactor)
        #expect(try vault.resolve(SecretReference(.env, "A")).revealedString() == canaries.values[0])
        #expect(try vault.resolve(SecretReference(.file, "keys/token.txt")).revealedString() == canaries.values[1], "trailing newline trimmed")
        #expect(try vault.resolve(SecretReference(.vault, "v")).revealedString() == canaries.values[2])
        let scrubbed = redactor.redact(canaries.values.joined(separator: " "))
        #expect(canaries.leaks(in: scrubbed).isEmpty)
        let keyText = try key.encoded.revealedString()
        #expect(String(describing: vault).contains("MK") && !String(describing: vault).contains(keyText))
    }

    @Test func reportsProblemsWithoutReadingValues() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("big.pem", String(repeating: "x", count: 11 * 1024))
        let vault = CredentialVault(configuration: .init(
            vaultPath: dir.file("vault.json"), masterKey: SecretReference(.env, "MK"), baseDirectory: dir.path, environment: [:]))
        #expect(vault.problem(with: SecretReference(.env, "NOPE"))?.description == "environment variable NOPE is not set")
        #expect(vault.problem(with: SecretReference(.file, "missing.pem"))?.description.contains("no such file") == true)
        #expect(vault.problem(with: SecretReference(.file, "big.pem"))?.isTooLarge == true)
        #expect(vault.problem(with: SecretReference(.vault, "x"))?.description.contains("vault init") == true)
        #expect(throws: VaultError.self) { try vault.resolve(SecretReference(.file, "big.pem")) }
        let error = #expect(throws: VaultError.self) { try vault.masterKey() }
        #expect(error?.description.contains("MK is not set") == true)
    }
}
