import Benchmark
import ConnectorKit
import SSEStream

let sseBenchmarks: @Sendable () -> Void = {
    let stream = makeStream(megabytes: 100)
    let chunk = 16 * 1024
    let configuration = Benchmark.Configuration(metrics: [.wallClock, .throughput], warmupIterations: 1, maxDuration: .seconds(20), maxIterations: 10)

    Benchmark("SSE parse, borrowed events: 100 MB in 16 KiB chunks", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            var parser = SSEParser()
            var bytes = 0
            inChunks(stream, of: chunk) { piece in parser.feedBorrowing(piece) { event in bytes &+= event.dataBytes.count } }
            blackHole(bytes)
        }
    }

    Benchmark("SSE parse, owned events: 100 MB in 16 KiB chunks", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            var parser = SSEParser()
            var events = 0
            inChunks(stream, of: chunk) { piece in parser.feed(piece) { _ in events += 1 } }
            blackHole(events)
        }
    }

    Benchmark("Newline scan (memchr): 100 MB", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(newlineScan(stream))
        }
    }

    // Events per pass, for events/s.
    var parser = SSEParser()
    let perPass = parser.feed(stream).count
    print("SSE stream: \(stream.count) bytes, \(perPass) events per pass")
}
