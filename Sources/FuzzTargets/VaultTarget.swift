@_spi(Fuzzing) import ConnectorKit
import Foundation

/// A vault file's bytes as the vault loads them: structure (JSON, versions, base64), then the key
/// check and every entry opened with a key. Anything is a value or a `VaultError`; a file that is
/// not one of ours must never open.
enum VaultTarget {
    static let key: MasterKey = {
        // A fixed key: fuzzed files are not sealed with it, so no entry may open.
        try! MasterKey(encoded: Secret(String(repeating: "A", count: 43) + "="))
    }()

    static func run(_ input: [UInt8]) throws(FuzzFinding) {
        if let sizes = try? VaultFileDecoding.decode(Data(input), key: key), !sizes.isEmpty {
            throw FuzzFinding(.vault, "entries of a file not sealed with the key opened: \(JSONTargets.quote(input))")
        }
    }
}
