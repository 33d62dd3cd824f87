import ConnectorKit
import Synchronization
import Testing

@Suite("Token cache: state machine and single-flight provider")
struct TokenProviderTests {
    @Test func stateMachineDecisions() {
        var machine = TokenStateMachine<String>(refreshMargin: .seconds(60))
        let t0 = ContinuousClock.now
        var actions: [TokenStateMachine<String>.RequestAction] = []
        func request(_ waiter: Int, _ at: ContinuousClock.Instant) { actions.append(machine.requestToken(waiter: waiter, now: at)) }
        request(1, t0)
        request(2, t0)
        request(3, t0)
        #expect(actions == [.fetch, .wait, .wait])
        let cancelled = machine.cancelWaiter(3)
        #expect(cancelled)
        let resumed = machine.fetchSucceeded("a", lifetime: .seconds(3600), now: t0)
        #expect(resumed == [2])
        actions = []
        request(4, t0 + .seconds(3000))
        request(5, t0 + .seconds(3541))
        #expect(actions == [.use("a"), .fetch], "refreshed a margin before expiry")
        #expect(machine.cachedToken(now: t0) == nil, "not while fetching")
        let failed = machine.fetchFailed()
        #expect(failed.isEmpty)
        actions = []
        request(6, t0)
        #expect(actions == [.fetch], "after a failure the next caller fetches again")
        _ = machine.fetchSucceeded("b", lifetime: nil, now: t0)
        actions = []
        request(7, t0 + .seconds(86_400 * 365))
        #expect(actions == [.use("b")], "no lifetime: valid until a 401")
        #expect(machine.cachedToken(now: t0) == "b")
        machine.invalidate("a")
        actions = []
        request(8, t0)
        #expect(actions == [.use("b")], "a stale token's 401 does not drop the newer one")
        machine.invalidate("b")
        actions = []
        request(9, t0)
        request(10, t0)
        #expect(actions == [.fetch, .wait])
        let successor = machine.fetcherCancelled()
        #expect(successor == 10, "a waiter takes the fetch over")
    }

    final class Counter: Sendable {
        let value = Atomic(0)
    }

    @Test func thousandConcurrentCallersCauseOneFetch() async throws {
        let fetches = Counter()
        let provider = TokenProvider<String> {
            fetches.value.add(1, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(50))
            return ("token-1", nil)
        }
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<1_000 { group.addTask { try await provider.token() } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(tokens.count == 1_000 && Set(tokens) == ["token-1"])
        #expect(fetches.value.load(ordering: .relaxed) == 1)
        #expect(try await provider.token() == "token-1")
        #expect(fetches.value.load(ordering: .relaxed) == 1, "cached")

        provider.invalidate("token-1")
        _ = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<1_000 { group.addTask { try await provider.token() } }
            return try await group.reduce(into: 0) { count, _ in count += 1 }
        }
        #expect(fetches.value.load(ordering: .relaxed) == 2, "one refresh after invalidation")
    }

    struct Refused: Error, Equatable {}

    @Test func aFailedFetchReachesEveryWaiterAndTheNextCallRetries() async throws {
        let fetches = Counter()
        let provider = TokenProvider<String> {
            let n = fetches.value.add(1, ordering: .relaxed).newValue
            try await Task.sleep(for: .milliseconds(50))
            if n == 1 { throw Refused() }
            return ("token-2", .seconds(3600))
        }
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<1_000 { group.addTask { do { _ = try await provider.token(); return false } catch { return error is Refused } } }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(failures == 1_000, "every waiter got the fetch's error")
        #expect(fetches.value.load(ordering: .relaxed) == 1)
        #expect(try await provider.token() == "token-2")
    }

    @Test func aCancelledFetcherHandsTheFetchToAWaiter() async throws {
        let fetches = Counter()
        // The first fetch ends only by cancellation; any later fetch succeeds at once. Whatever the
        // interleaving, the cancelled caller fails and the waiter still gets a token from a second fetch.
        let provider = TokenProvider<String> {
            if fetches.value.add(1, ordering: .relaxed).newValue == 1 { try await Task.sleep(for: .seconds(600)) }
            return ("token-3", nil)
        }
        let fetcher = Task { try await provider.token() }
        while fetches.value.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        let waiter = Task { try await provider.token() }
        try await Task.sleep(for: .milliseconds(20))
        fetcher.cancel()
        #expect(await (try? fetcher.value) == nil, "the cancelled caller gets an error")
        #expect(try await waiter.value == "token-3", "the waiter still gets a token")
        #expect(fetches.value.load(ordering: .relaxed) == 2)
    }
}
