import Foundation
import FuzzTargets
import Testing

/// Every seed of every fuzz target, and every input that ever failed one (`Fuzz/Crashes/<target>/`),
/// run through the target in the test suite: a fixed crash stays fixed, and the differential
/// checks hold on the seeds.
@Suite("fuzz targets: seeds and past findings")
struct FuzzRegressionTests {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The files of `Fuzz/<folder>/<target>/`.
    static func inputs(_ folder: String, _ target: FuzzTarget) -> [URL] {
        let directory = fuzz.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases) func seedsAndPastFindingsPass(_ target: FuzzTarget) throws {
        let seeds = Self.inputs("Corpus", target)
        #expect(!seeds.isEmpty, "Fuzz/Corpus/\(target.rawValue) has seeds")
        for file in seeds + Self.inputs("Crashes", target) {
            let input = try [UInt8](Data(contentsOf: file))
            do {
                try target.run(input)
            } catch {
                Issue.record("\(file.lastPathComponent): \(error)")
            }
        }
    }
}
