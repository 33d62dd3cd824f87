import Foundation
import FuzzDriver
import FuzzTargets

// libFuzzer through its driver (the no-main runtime is linked by Fuzz/run): this binary keeps its
// own `main`, so nothing else in the build has to give up theirs.

/// The target this process fuzzes, from SWITCHBOARD_FUZZ_TARGET (set once, before fuzzing starts).
nonisolated(unsafe) var target: FuzzTarget = .json

guard let name = ProcessInfo.processInfo.environment["SWITCHBOARD_FUZZ_TARGET"], let chosen = FuzzTarget(rawValue: name) else {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    FileHandle.standardError.write(Data("SWITCHBOARD_FUZZ_TARGET must name one of: \(names)\n".utf8))
    exit(2)
}
target = chosen

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try target.run(input)
    } catch {
        // A failed check is a crash to libFuzzer: it keeps the input and stops.
        fatalError("\(error)")
    }
    return 0
})
