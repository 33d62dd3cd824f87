import Synchronization

/// The words searches asked lists for, how often each list was used, and the wake-up of the
/// ``SearchListWarmer`` — in memory; the lists themselves are in the store.
final class SearchListState: Sendable {
    /// A list's key: the word as searched (a prefix) and the language filter ("" for none).
    struct Key: Hashable, Sendable {
        var token: String
        var language: String
    }

    private struct State {
        var requested: Set<Key> = []
        var uses: [Key: Int] = [:]
        var changes = 0
    }

    /// At most this many words wait for a list, and this many use counts are held between refreshes.
    static let pendingLimit = 1024

    private let state = Mutex(State())
    /// One element per wake-up; only the newest is kept (one warmer reads it).
    let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init() {
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Counts the changes to articles and wakes the warmer.
    func articlesChanged() {
        state.withLock { $0.changes &+= 1 }
        wake.yield()
    }

    /// How many article changes were announced (the warmer waits until it stops moving).
    var changes: Int { state.withLock { $0.changes } }

    /// Words a search found without a current list; wakes the warmer when one is new.
    func request(_ keys: [Key]) {
        let added = state.withLock { state -> Bool in
            var added = false
            for key in keys where state.requested.count < Self.pendingLimit {
                added = state.requested.insert(key).inserted || added
            }
            return added
        }
        if added { wake.yield() }
    }

    /// Counts a search's use of its words' lists.
    func used(_ keys: [Key]) {
        state.withLock { state in
            for key in keys where state.uses[key] != nil || state.uses.count < Self.pendingLimit {
                state.uses[key, default: 0] += 1
            }
        }
    }

    /// Takes the requested words and the use counts, leaving both empty.
    func take() -> (requested: Set<Key>, uses: [Key: Int]) {
        state.withLock { state in
            defer {
                state.requested = []
                state.uses = [:]
            }
            return (state.requested, state.uses)
        }
    }

    /// Puts back words a refresh had no room for.
    func requeue(_ keys: some Sequence<Key>) {
        state.withLock { state in
            for key in keys where state.requested.count < Self.pendingLimit { state.requested.insert(key) }
        }
    }

    deinit { wake.finish() }
}
