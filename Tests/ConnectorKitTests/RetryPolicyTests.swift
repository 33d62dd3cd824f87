import ConnectorKit
import Foundation
import Testing

@Suite("RetryPolicy decisions (sans-IO)")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(200), maxDelay: .seconds(10), maxElapsed: .seconds(60), retryAfterCap: .seconds(30))
    let now = Date(timeIntervalSince1970: 1_767_225_600)

    func decide(_ outcome: RetryPolicy.Outcome, attempt: Int = 1, elapsed: Duration = .zero, safe: Bool = true, reauthenticated: Bool = false,
                random: Double = 1) -> RetryPolicy.Decision {
        policy.decide(attempt: attempt, outcome: outcome, elapsed: elapsed, safeToRepeat: safe, reauthenticated: reauthenticated, now: now, random: random)
    }

    @Test func retriesServerBusyWithBackoff() {
        #expect(decide(.response(status: 503, retryAfter: nil)) == .retry(after: .milliseconds(200)))
        #expect(decide(.response(status: 502, retryAfter: nil), attempt: 2) == .retry(after: .milliseconds(400)))
        #expect(decide(.response(status: 504, retryAfter: nil), attempt: 3, random: 0.5) == .retry(after: .milliseconds(400)))
        #expect(decide(.response(status: 200, retryAfter: nil)) == .finish)
        #expect(decide(.response(status: 500, retryAfter: nil)) == .retry(after: .milliseconds(200)), "a platform error is retried when safe")
        #expect(decide(.response(status: 500, retryAfter: nil), safe: false) == .finish, "never for a request that is not safe to repeat")
        #expect(decide(.response(status: 501, retryAfter: nil)) == .finish)
        #expect(decide(.response(status: 404, retryAfter: nil)) == .finish)
    }

    @Test func honoursRetryAfterSecondsAndDates() {
        #expect(decide(.response(status: 429, retryAfter: "2")) == .retry(after: .seconds(2)))
        #expect(decide(.response(status: 503, retryAfter: "Thu, 01 Jan 2026 00:00:05 GMT")) == .retry(after: .seconds(5)))
        #expect(decide(.response(status: 503, retryAfter: "Wed, 31 Dec 2025 23:00:00 GMT")) == .retry(after: .zero), "a past date means no wait")
        #expect(decide(.response(status: 429, retryAfter: "soon")) == .retry(after: .milliseconds(200)), "unreadable: backoff")
        #expect(decide(.response(status: 429, retryAfter: "120")) == .giveUp(reason: "the server asked to wait 2m, more than the 30s cap"))
    }

    @Test func parsesTheThreeHTTPDateForms() {
        for form in ["Thu, 01 Jan 2026 00:00:10 GMT", "Thursday, 01-Jan-26 00:00:10 GMT", "Thu Jan  1 00:00:10 2026"] {
            #expect(RetryPolicy.parseRetryAfter(form, now: now) == .seconds(10), "\(form)")
        }
    }

    @Test func postIsRetriedOnlyWhenMarkedSafe() {
        #expect(decide(.response(status: 503, retryAfter: nil), safe: false) == .finish)
        #expect(decide(.connectionLost, safe: false) == .giveUp(reason: "the connection broke after the request was sent, and it is not safe to repeat"))
        #expect(decide(.connectionRefused, safe: false) == .retry(after: .milliseconds(200)), "nothing reached the server")
        #expect(decide(.connectionLost, safe: true) == .retry(after: .milliseconds(200)))
    }

    @Test func unauthorizedReauthenticatesOnce() {
        #expect(decide(.response(status: 401, retryAfter: nil)) == .reauthenticate)
        #expect(decide(.response(status: 401, retryAfter: nil), reauthenticated: true) == .finish)
        #expect(decide(.response(status: 401, retryAfter: nil), safe: false) == .reauthenticate, "a 401 was not processed: safe to resend")
    }

    @Test func boundedByAttemptsAndElapsedTime() {
        #expect(decide(.response(status: 503, retryAfter: nil), attempt: 4) == .giveUp(reason: "gave up after 4 attempts"))
        #expect(decide(.response(status: 429, retryAfter: "10"), elapsed: .seconds(55)) == .giveUp(reason: "a retry would exceed the 1m limit"))
    }

    @Test func fullJitterStaysWithinTheCappedCeiling() {
        for attempt in 1...12 {
            let ceiling = min(200 * (1 << (attempt - 1)), 10_000)
            #expect(policy.backoff(attempt: attempt, random: 1) == .milliseconds(ceiling))
            #expect(policy.backoff(attempt: attempt, random: 0) == .zero)
            let sample = policy.backoff(attempt: attempt, random: Double.random(in: 0...1))
            #expect(sample >= .zero && sample <= .milliseconds(ceiling))
        }
    }
}
