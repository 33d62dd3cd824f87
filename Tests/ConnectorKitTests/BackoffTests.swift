import ConnectorKit
import Testing

/// The one backoff policy: doubling from `initial`, capped, whole milliseconds, and each jitter.
@Suite("Backoff: one policy for every retry loop")
struct BackoffTests {
    @Test func doublesUpToTheCap() {
        let backoff = Backoff(initial: .milliseconds(250), maximum: .seconds(3), jitter: .none)
        #expect((1...6).map { backoff.delay(attempt: $0) } == [250, 500, 1000, 2000, 3000, 3000].map { Duration.milliseconds($0) })
        #expect(backoff.delay(attempt: 0) == .milliseconds(250) && backoff.delay(attempt: 10_000) == .seconds(3), "no overflow, no zero")
    }

    @Test func eachJitterStaysInItsRange() {
        let full = Backoff(initial: .seconds(4), maximum: .seconds(60), jitter: .full)
        #expect(full.delay(attempt: 1, random: 0) == .zero && full.delay(attempt: 1, random: 1) == .seconds(4))
        let equal = Backoff(initial: .seconds(4), maximum: .seconds(60), jitter: .equal)
        #expect(equal.delay(attempt: 1, random: 0) == .seconds(2) && equal.delay(attempt: 1, random: 1) == .seconds(4))
        let shorter = Backoff(initial: .seconds(10), maximum: .seconds(60), jitter: .shorter(by: 0.2))
        #expect(shorter.delay(attempt: 1, random: 0) == .seconds(10) && shorter.delay(attempt: 1, random: 1) == .seconds(8))
        for _ in 0..<200 {
            let delay = shorter.delay(attempt: 3)
            #expect(delay >= .seconds(32) && delay <= .seconds(40))
        }
    }
}
