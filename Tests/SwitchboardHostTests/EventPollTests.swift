import ConnectorKit
import Foundation
@testable import SwitchboardHost
import Testing

/// `GET /v1/events/poll`: the event log as JSON pages, with a cursor, a subject filter and long polling.
@Suite("Host API: events as JSON pages (long polling)", .serialized)
struct EventPollTests {
    static func page(_ response: HTTPTransport.Response) throws -> (ids: [String], subjects: [String], next: Int64) {
        let json = try JSONParser.parse(response.body)
        guard case .array(let events)? = json["events"], case .integer(let next)? = json["next"] else {
            throw TestFailure("not a page: \(HostAPITests.text(response))")
        }
        return (events.compactMap { $0["id"]?.stringValue }, events.compactMap { $0["subject"]?.stringValue }, next)
    }

    struct TestFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test(.timeLimit(.minutes(1))) func pagesFollowTheCursorAndTheSubject() async throws {
        let (store, directory) = try HostAPITests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for n in 1...5 { try await store.emit(HostAPITests.ticketEvent(n % 2)) }  // subjects 500X1, 500X0, 500X1, 500X0, 500X1
        try await HostAPITests.withAPI(store: store) { base, http in
            // No cursor: no events, and the cursor of the newest.
            let start = try Self.page(try await http.send(.init(url: base + "/v1/events/poll")))
            #expect(start.ids.isEmpty && start.next == 5)
            // From 0, two at a time, every event once in order.
            var seen: [String] = []
            var cursor: Int64 = 0
            for _ in 0..<4 {
                let page = try Self.page(try await http.send(.init(url: base + "/v1/events/poll?after=\(cursor)&limit=2")))
                seen += page.ids
                cursor = page.next
            }
            #expect(seen == ["1", "2", "3", "4", "5"] && cursor == 5)
            // One subject: its events only; an empty page still moves the cursor past what it checked.
            let one = try Self.page(try await http.send(.init(url: base + "/v1/events/poll?after=0&subject=500X0")))
            #expect(one.ids == ["2", "4"] && Set(one.subjects) == ["500X0"] && one.next == 4)
            let none = try Self.page(try await http.send(.init(url: base + "/v1/events/poll?after=4&subject=500X0")))
            #expect(none.ids.isEmpty && none.next == 5)
            // Bad parameters are 400 invalid_parameter.
            for query in ["limit=0", "limit=501", "wait=31", "wait=x", "after=-1", "subject="] {
                let response = try await http.send(.init(url: base + "/v1/events/poll?" + query))
                #expect(response.status == 400 && HostAPITests.text(response).contains("invalid_parameter"), "\(query)")
            }
            // schemathesis finding: a bad after was ignored when Last-Event-ID was given.
            let both = try await http.send(.init(url: base + "/v1/events/poll?after=-5", headers: [("Last-Event-ID", "2")]))
            #expect(both.status == 400 && HostAPITests.text(both).contains("invalid_parameter"))
            let header = try Self.page(try await http.send(.init(url: base + "/v1/events/poll?after=0", headers: [("Last-Event-ID", "4")])))
            #expect(header.ids == ["5"], "Last-Event-ID wins over after")
        }
    }

    @Test(.timeLimit(.minutes(1))) func waitHoldsTheRequestUntilAnEventOfTheSubjectArrives() async throws {
        let (store, directory) = try HostAPITests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await store.emit(HostAPITests.ticketEvent(1))
        try await HostAPITests.withAPI(store: store) { base, http in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Another subject's event first: the request keeps waiting for its own.
                    try await Task.sleep(for: .milliseconds(300))
                    try await store.emit(HostAPITests.ticketEvent(2))
                    try await Task.sleep(for: .milliseconds(300))
                    try await store.emit(HostAPITests.ticketEvent(1))
                }
                let started = ContinuousClock.now
                let page = try Self.page(try await http.send(.init(url: base + "/v1/events/poll?after=1&subject=500X1&wait=20")))
                #expect(page.ids == ["3"] && page.next == 3)
                #expect(ContinuousClock.now - started < .seconds(15), "answered when the event came, not at the deadline")
                try await group.waitForAll()
            }
            // Nothing arrives: an empty page once the wait is over.
            let empty = try Self.page(try await http.send(.init(url: base + "/v1/events/poll?after=3&wait=1")))
            #expect(empty.ids.isEmpty && empty.next == 3)
        }
    }
}
