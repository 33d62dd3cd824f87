import Benchmark
import ConnectorKit

let benchmarks: @Sendable () -> Void = {
    // A warm cache: every call after the first is a hit (a lock, a state check, a resume).
    let provider = TokenProvider<String> { ("00DSBX000000001!AQ4AQFakeTokenValue", nil) }
    Benchmark("Token cache hit", configuration: .init(metrics: [.wallClock, .throughput], warmupIterations: 1_000, maxDuration: .seconds(3), maxIterations: 1_000_000)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try await provider.token()) }
    }
}
