import ConnectorKit
import Logging
import ServiceLifecycle

/// Keeps knowledge search's pre-ranked lists current: once the articles stop changing (a sync's
/// batches are written) or a search asked for a word's list, it rebuilds the stale and requested
/// lists off the search path (``SQLiteStore/refreshSearchLists()``). Searches meanwhile rank every
/// match, so results never wait for it. Stops at a graceful shutdown.
struct SearchListWarmer: Service, CustomStringConvertible {
    let store: SQLiteStore
    let logger: Logger
    /// How long the articles must stay unchanged before the lists are rebuilt.
    var quiet: Duration = .seconds(2)

    var description: String { "search-lists" }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await store.waitForSearchListWork(quiet: quiet)
                let started = ContinuousClock.now
                do {
                    var refresh = try await store.refreshSearchLists()
                    // More than a batch waiting: keep going (one batch at a time, cancellable between).
                    while refresh.remaining > 0, !Task.isCancelled {
                        let next = try await store.refreshSearchLists()
                        refresh.built += next.built
                        refresh.infrequent += next.infrequent
                        refresh.remaining = next.remaining
                    }
                    if refresh.built > 0 {
                        logger.info("knowledge search lists rebuilt", metadata: [
                            "lists": "\(refresh.built)", "infrequent_words": "\(refresh.infrequent)",
                            "seconds": .string(DurationFormat.format(ContinuousClock.now - started)),
                        ])
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("knowledge search lists not rebuilt (searches rank every match meanwhile)", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
