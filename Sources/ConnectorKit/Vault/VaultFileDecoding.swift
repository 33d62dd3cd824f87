import Foundation

/// What ``VaultFile`` does with a vault file's bytes — parse and check its structure, verify it
/// against a master key, open every entry — for the fuzz targets (`Fuzz/`, `FuzzTargets`). Not
/// part of the API.
@_spi(Fuzzing) public enum VaultFileDecoding {
    /// Decodes `data` as a vault file and, when it parses, verifies it and opens each entry with
    /// `key`; the entries' sizes. Throws ``VaultError`` as loading the file would.
    public static func decode(_ data: Data, key: MasterKey) throws(VaultError) -> [Int] {
        let format = try VaultFileFormat.decode(data, path: "fuzz.json")
        try format.verify(key: key, path: "fuzz.json")
        var sizes: [Int] = []
        for (name, _) in format.sizes() {
            sizes.append(try format.open(entry: name, key: key, path: "fuzz.json").withRevealedBytes { $0.count })
        }
        return sizes
    }
}
