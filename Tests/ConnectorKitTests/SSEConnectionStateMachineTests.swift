import ConnectorKit
import Testing

@Suite("SSE connection state machine (sans-IO)")
struct SSEConnectionStateMachineTests {
    let t0 = ContinuousClock.now
    let configuration = SSEConnectionStateMachine.Configuration(initialDelay: .seconds(1), maxDelay: .seconds(8), idleTimeout: .seconds(45))

    func delay(_ action: SSEConnectionStateMachine.Action) -> Duration? {
        if case .reconnect(let after) = action { return after }
        return nil
    }

    @Test func connectsReadsAndResumesWithLastEventID() {
        var machine = SSEConnectionStateMachine(configuration: configuration)
        #expect(machine.start() == .connect(headers: ["Accept": "text/event-stream", "Cache-Control": "no-cache"]))
        #expect(machine.responseReceived(status: 200, contentType: "text/event-stream; charset=utf-8", now: t0) == .read)
        machine.eventReceived(id: "171", retryMilliseconds: nil)
        // Stream dropped mid-event: reconnect after the initial delay, then send Last-Event-ID.
        #expect(machine.connectionEnded(now: t0) == .reconnect(after: .seconds(1)))
        #expect(machine.reconnectDue() == .connect(headers: ["Accept": "text/event-stream", "Cache-Control": "no-cache", "Last-Event-ID": "171"]))
    }

    @Test func serverRetryHintIsHonoured() {
        var machine = SSEConnectionStateMachine(configuration: configuration, lastEventID: "5")
        _ = machine.start()
        _ = machine.responseReceived(status: 200, contentType: "text/event-stream", now: t0)
        machine.eventReceived(id: nil, retryMilliseconds: 2500)
        #expect(machine.connectionEnded(now: t0) == .reconnect(after: .milliseconds(2500)))
        #expect(machine.lastEventID == "5")
        _ = machine.reconnectDue()
        #expect(machine.responseReceived(status: 503, contentType: nil, now: t0) == .reconnect(after: .milliseconds(2500)), "the hint wins over backoff")
    }

    @Test func failedAttemptsBackOffWithJitterUpToTheCap() {
        var machine = SSEConnectionStateMachine(configuration: configuration)
        _ = machine.start()
        var ceilings: [Duration] = []
        for _ in 0..<6 {
            let wait = delay(machine.responseReceived(status: 502, contentType: nil, now: t0))
            ceilings.append(wait ?? .zero)
            _ = machine.reconnectDue()
        }
        let expectedCeilings: [Duration] = [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)]
        for (wait, ceiling) in zip(ceilings, expectedCeilings) {
            #expect(wait >= ceiling / 2 && wait <= ceiling, "\(wait) within [\(ceiling / 2), \(ceiling)]")
        }
        #expect(machine.backoff(failures: 3, random: 0) == .seconds(2))
        #expect(machine.backoff(failures: 3, random: 1) == .seconds(4))
    }

    @Test func idleStreamIsReconnected() {
        var machine = SSEConnectionStateMachine(configuration: configuration)
        _ = machine.start()
        _ = machine.responseReceived(status: 200, contentType: "text/event-stream", now: t0)
        #expect(machine.tick(now: t0 + .seconds(30)) == .none)
        machine.bytesReceived(now: t0 + .seconds(30))  // a keep-alive comment counts
        #expect(machine.tick(now: t0 + .seconds(70)) == .none)
        #expect(machine.tick(now: t0 + .seconds(75)) == .reconnect(after: .seconds(1)))
    }

    @Test func statusesThatEndTheSubscription() {
        var machine = SSEConnectionStateMachine(configuration: configuration)
        _ = machine.start()
        #expect(machine.responseReceived(status: 204, contentType: nil, now: t0) == .close(reason: nil), "204 is a normal end")
        #expect(machine.reconnectDue() == .none, "closed for good")

        var wrongType = SSEConnectionStateMachine(configuration: configuration)
        _ = wrongType.start()
        #expect(wrongType.responseReceived(status: 200, contentType: "application/json", now: t0)
            == .close(reason: "the server answered with application/json, not text/event-stream"))

        var notFound = SSEConnectionStateMachine(configuration: configuration)
        _ = notFound.start()
        #expect(notFound.responseReceived(status: 404, contentType: nil, now: t0) == .close(reason: "the server answered 404"))
    }

    @Test func unauthorizedReauthenticatesOnce() {
        var machine = SSEConnectionStateMachine(configuration: configuration)
        _ = machine.start()
        #expect(machine.responseReceived(status: 401, contentType: nil, now: t0) == .reauthenticate)
        #expect(machine.reconnectDue() == .connect(headers: ["Accept": "text/event-stream", "Cache-Control": "no-cache"]))
        #expect(machine.responseReceived(status: 401, contentType: nil, now: t0) == .close(reason: "the server refused the new access token too (401)"))
    }

    @Test func givesUpAfterTheConfiguredFailuresAndCancels() {
        var machine = SSEConnectionStateMachine(configuration: .init(maxConsecutiveFailures: 2))
        _ = machine.start()
        #expect(delay(machine.connectionEnded(now: t0)) != nil)
        _ = machine.reconnectDue()
        #expect(machine.connectionEnded(now: t0) == .close(reason: "gave up after 2 failed attempts"))
        var other = SSEConnectionStateMachine()
        _ = other.start()
        #expect(other.cancel() == .close(reason: nil))
        #expect(other.cancel() == .none)
    }
}
