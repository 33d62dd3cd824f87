// SSE parse throughput beside a plain newline scan (memchr) of the same buffer, interleaved round by
// round: this machine's speed drifts by up to 1.6x within minutes (a shared host), so a ratio is
// only meaningful between passes run moments apart. Each round runs the scan, the borrowing parse
// and the owned-event parse once; the figures are medians over the rounds.
//
//   swift run -c release SSEParse [megabytes=100] [rounds=15]
import ConnectorKit
import SSEStream

/// The parser lives in a heap object, as it does inside `EventStream`.
final class ParserBox {
    var parser = SSEParser()
}

@inline(never)
func keep(_ value: Int) {
    if value == -1 { print("") }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let megabytes = arguments.first ?? 100
let rounds = arguments.dropFirst().first ?? 15
let stream = makeStream(megabytes: megabytes)
let chunk = 16 * 1024
let clock = ContinuousClock()

func scan() -> Int { newlineScan(stream) }

func parseBorrowing() -> Int {
    let box = ParserBox()
    var bytes = 0
    inChunks(stream, of: chunk) { piece in box.parser.feedBorrowing(piece) { event in bytes &+= event.dataBytes.count } }
    return bytes
}

func parseOwned() -> Int {
    let box = ParserBox()
    var bytes = 0
    inChunks(stream, of: chunk) { piece in box.parser.feed(piece) { event in bytes &+= event.dataBytes.count } }
    return bytes
}

let events = {
    var parser = SSEParser()
    var count = 0
    stream.withUnsafeBytes { parser.feed($0) { _ in count += 1 } }
    return count
}()
print("stream: \(stream.count) bytes, \(events) events, \(scan()) lines; \(rounds) rounds, \(chunk / 1024) KiB chunks")

var scanTimes: [Double] = [], borrowedTimes: [Double] = [], ownedTimes: [Double] = []
var borrowedRatios: [Double] = [], ownedRatios: [Double] = []
keep(parseBorrowing() &+ parseOwned() &+ scan())  // warm-up
for _ in 0..<rounds {
    var result = 0
    let scanTime = seconds(clock.measure { result = scan() })
    keep(result)
    let borrowedTime = seconds(clock.measure { result = parseBorrowing() })
    keep(result)
    let ownedTime = seconds(clock.measure { result = parseOwned() })
    keep(result)
    scanTimes.append(scanTime)
    borrowedTimes.append(borrowedTime)
    ownedTimes.append(ownedTime)
    borrowedRatios.append(scanTime / borrowedTime)
    ownedRatios.append(scanTime / ownedTime)
}

let size = Double(stream.count) / 1e6
func line(_ name: String, _ times: [Double], _ ratios: [Double]?) -> String {
    let time = median(times)
    var text = "\(name): \(Int(size / time)) MB/s, \(String(format: "%.2f", Double(events) / time / 1e6)) M events/s (\(String(format: "%.1f", time * 1000)) ms per pass)"
    if let ratios {
        text += String(format: "; ratio to the scan %.2f (rounds: min %.2f, max %.2f)", median(ratios), ratios.min()!, ratios.max()!)
    }
    return text
}
print(line("memchr newline scan      ", scanTimes, nil))
print(line("SSE parse, borrowed events", borrowedTimes, borrowedRatios))
print(line("SSE parse, owned events   ", ownedTimes, ownedRatios))
print("goal: >= 1000 MB/s and >= 0.3 of the scan")
