import ConnectorKit
import Foundation
import Logging
import SalesforceConnector
import SalesforceSandbox
import SwitchboardHost

// A full contact sync (and knowledge load) from the sandbox org over loopback into a fresh SQLite
// store, as the `salesforce` module runs it: JWT bearer session, 2,000-row pages, transactions of
// 10,000 rows with their checkpoint. Then knowledge search latency over the loaded articles.
//
//   swift run -c release SyncLoad [contacts=100000] [published articles=10000] [words per article=400]
//
// Article bodies are generated prose (ArticleProse: Zipf-distributed words, some in every article,
// most rare), so search works against postings shaped like real text's.
//
// The sandbox runs in this process; the sync runs in a second process (this executable again,
// `--client`), as the host would, so the peak RSS printed is the syncing process's alone. Both
// share the machine's cores, as they would on a laptop running `switchboard sandbox` beside `run`.
// With SYNCLOAD_KEEP=1 the stores are kept (their directory is printed) for `sqlite3` experiments.

let arguments = Array(CommandLine.arguments.dropFirst())
let quiet = Logger(label: "sync", factory: { _ in SwiftLogNoOpLogHandler() })

/// CPU time of this process (every thread), in seconds.
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Runs `body`, returning its result, wall seconds and this process's CPU seconds.
func timed<T>(_ body: () async throws -> T) async rethrows -> (T, seconds: Double, cpu: Double) {
    let cpuStart = processCPUSeconds()
    let start = ContinuousClock.now
    let value = try await body()
    let elapsed = ContinuousClock.now - start
    return (value, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, processCPUSeconds() - cpuStart)
}

func peakRSSMegabytes() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

if arguments.first == "--client", arguments.count >= 4, let contacts = Int(arguments[3]) {
    try await SyncClient(baseURL: arguments[1], directory: arguments[2], contacts: contacts).run()
    exit(0)
}

let contacts = arguments.first.flatMap(Int.init) ?? 100_000
let articles = arguments.dropFirst().first.flatMap(Int.init) ?? 10_000
let articleWords = arguments.dropFirst(2).first.flatMap(Int.init) ?? 400
let key = try KeyGenerator.generate(bits: 2048, keyID: "bench", subject: "CN=bench", days: 30)
var configuration = SandboxConfiguration()
configuration.seed = SeedData(seed: 42, contacts: contacts, cases: 0, articles: SeedData.articles(online: articles), articleWords: articleWords)
// The article body is a custom field (a stock org has none).
configuration.customFields = [CustomField(object: "Knowledge__kav", name: "Body__c", type: .textarea)]
configuration.connectedApps = [ConnectedApp(consumerKey: "bench", certificate: key.certificatePEM)]
let directory = NSTemporaryDirectory() + "switchboard-syncload-" + UUID().uuidString
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
print("seeding \(contacts) contacts and \(articles) published articles of \(articleWords) words…")
let seedStart = ContinuousClock.now
try await SalesforceSandbox.withRunning(configuration: configuration, logger: quiet) { sandbox in
    print("sandbox start-up (seeding included): \(ContinuousClock.now - seedStart); sandbox RSS \(Int(peakRSSMegabytes())) MB")
    fflush(nil)  // this process's lines before the client's
    let client = Process()
    client.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    client.arguments = ["--client", await sandbox.baseURL(), directory, String(contacts)]
    client.environment = ProcessInfo.processInfo.environment.merging(["SYNCLOAD_KEY": try key.privateKeyPEM.revealedString()]) { $1 }
    let sandboxCPUStart = processCPUSeconds()
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        client.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try client.run() } catch { continuation.resume(throwing: error) }
    }
    print(String(format: "sandbox process CPU while serving: %.2f s", processCPUSeconds() - sandboxCPUStart))
    if status != 0 { print("sync process exited with \(status)") }
}
if ProcessInfo.processInfo.environment["SYNCLOAD_KEEP"] == "1" {
    print("stores kept in \(directory)")
} else {
    try? FileManager.default.removeItem(atPath: directory)
}

/// The syncing process: the host's pieces (transport, vault, signer, SQLite store) and the module's syncs.
struct SyncClient {
    let baseURL: String
    let directory: String
    let contacts: Int

    func run() async throws {
        let transport = HTTPTransport(logger: quiet)
        let vault = CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: "/",
                                                         environment: ProcessInfo.processInfo.environment))
        let auth = SalesforceJWTBearerAuth(
            credentials: .init(consumerKey: "bench", username: SeedData.integrationUsername, loginURL: baseURL,
                               privateKey: SecretReference(.env, "SYNCLOAD_KEY")),
            signer: JWTSigner(vault: vault), http: transport, connector: "bench")
        @Sendable func rest() -> SalesforceREST { SalesforceREST(auth: auth, http: transport, apiVersion: "62.0", connector: "bench") }
        let contactSettings = ContactSync.Settings(fields: ["Department", "Title"], whereClause: "Email != null", batchSize: 2000)
        let store = try SQLiteStore(path: directory + "/state.db")
        let scoped = ConnectorContext(connectorName: "bench", vault: vault, http: transport, store: store, sink: store, events: store, handoffs: store, logger: quiet).store
        let baseline = peakRSSMegabytes()

        let (report, seconds, cpu) = try await timed { try await ContactSync(rest: rest(), sink: store, store: scoped, settings: contactSettings).run(mode: .full) }
        let stored = try await store.count(connector: "bench", stream: "users")
        print("contact sync: \(report.upserted) contacts in \(report.pages) pages, \(String(format: "%.2f", seconds)) s (\(String(format: "%.2f", cpu)) s CPU in the syncing process) → \(Int(Double(report.upserted) / seconds)) contacts/s; stored \(stored)")
        print(String(format: "syncing process peak RSS: %.0f MB (%.0f MB before the sync)", peakRSSMegabytes(), baseline))

        // Where the time goes: the same sync into a sink that only keeps the batches (network and
        // decoding alone), then those batches committed to a fresh store (SQLite alone).
        let collector = CollectingSink()
        let (_, fetchSeconds, fetchCPU) = try await timed { try await ContactSync(rest: rest(), sink: collector, store: scoped, settings: contactSettings).run(mode: .full) }
        let second = try SQLiteStore(path: directory + "/second.db")
        let batches = await collector.batches
        let (_, commitSeconds, commitCPU) = try await timed { for batch in batches { try await second.commit(batch) } }
        let keep = Set(batches.flatMap { $0.upserts.compactMap { record -> String? in if case .user(let user) = record { user.id } else { nil } } })
        let (_, reconcileSeconds, _) = try await timed { try await second.reconcile(connector: "bench", stream: .users, keeping: keep) }
        print(String(format: "  of which: fetch + decode alone %.2f s (%.0f/s, %.2f s CPU); store commits alone %.2f s (%.0f/s, %.2f s CPU); reconcile %.2f s",
                     fetchSeconds, Double(contacts) / fetchSeconds, fetchCPU, commitSeconds, Double(contacts) / commitSeconds, commitCPU, reconcileSeconds))

        // The same on PostgreSQL (SYNCLOAD_POSTGRES=postgres://USER@HOST:PORT/DB names a server; a
        // scratch database is made and dropped): the contact sync, the commits alone, and event
        // append → wake-up latency from one host's store to another's (two pools, LISTEN/NOTIFY).
        if let server = ProcessInfo.processInfo.environment["SYNCLOAD_POSTGRES"], !server.isEmpty {
            try await PostgresBench.run(server: server, batches: batches) { sink in
                try await ContactSync(rest: rest(), sink: sink, store: scoped, settings: contactSettings).run(mode: .full)
            }
            try await PostgresBench.eventLatency(sqlite: store)
        }

        // Knowledge: a full load of the en_US articles, then search latency over them.
        let knowledgeSettings = KnowledgeSync.Settings(object: "Knowledge__kav", languages: ["en_US"], bodyFields: ["Body__c"], batchSize: 2000)
        let knowledge = KnowledgeSync(rest: rest(), sink: store, store: scoped, settings: knowledgeSettings)
        let (kReport, kSeconds, kCPU) = try await timed { try await knowledge.run(mode: .full) }
        print("knowledge load: \(kReport.upserted) articles in \(kReport.pages) pages, \(String(format: "%.2f", kSeconds)) s (\(String(format: "%.2f", kCPU)) s CPU) → \(Int(Double(kReport.upserted) / kSeconds)) articles/s")
        let articleCollector = CollectingSink()
        let (_, kFetchSeconds, kFetchCPU) = try await timed {
            try await KnowledgeSync(rest: rest(), sink: articleCollector, store: scoped, settings: knowledgeSettings).run(mode: .full)
        }
        let articleBatches = await articleCollector.batches
        let third = try SQLiteStore(path: directory + "/third.db")
        let (_, kCommitSeconds, kCommitCPU) = try await timed { for batch in articleBatches { try await third.commit(batch) } }
        print(String(format: "  of which: fetch + decode + HTML to text alone %.2f s (%.2f s CPU); store commits alone %.2f s (%.2f s CPU)",
                     kFetchSeconds, kFetchCPU, kCommitSeconds, kCommitCPU))
        if kReport.upserted > 0 {
            // Words in nearly every article, in some, in few; single words and pairs.
            let words = ArticleProse.vocabulary
            let terms = ["restart", "vpn", "password reset", "printer driver", "certificate", "laptop battery", words[0], words[95],
                         words[400], words[2000], "\(words[300]) \(words[1200])", "\(words[60]) \(words[80])"]
            func ms(_ d: Duration) -> String { String(format: "%.2f ms", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000) }
            // The first search of each query after the load: no pre-ranked lists yet, FTS5 ranks every
            // match (the ranking the lists must reproduce), and the search asks for its words' lists.
            var everyMatch: [String: [ArticleHit]] = [:]
            var cold: [String] = []
            for term in terms {
                let t0 = ContinuousClock.now
                everyMatch[term] = try await store.searchArticles(term, language: "en_US", limit: 10)
                cold.append("\(term) \(ms(ContinuousClock.now - t0))")
            }
            print("first search of each query after the load (ranks every match): " + cold.joined(separator: ", "))
            // What the host's SearchListWarmer does once the articles stop changing.
            let (refresh, refreshSeconds, _) = try await timed { try await store.refreshSearchLists() }
            print(String(format: "search lists built after the load: %d lists (%d words not frequent) in %.2f s", refresh.built, refresh.infrequent, refreshSeconds))
            var latencies: [Duration] = []
            var byTerm: [String: [Duration]] = [:]
            var paths: [String: KnowledgeSearchPath] = [:]
            for round in 0..<1200 {
                let term = terms[round % terms.count]
                let t0 = ContinuousClock.now
                let (hits, path) = try await store.searchArticlesExplained(term, language: "en_US", limit: 10)
                let latency = ContinuousClock.now - t0
                precondition(!hits.isEmpty, "no hit for \(term)")
                paths[term] = path
                latencies.append(latency)
                byTerm[term, default: []].append(latency)
            }
            latencies.sort()
            func at(_ sorted: [Duration], _ share: Double) -> Duration { sorted[min(sorted.count - 1, Int(Double(sorted.count) * share))] }
            print("knowledge search over \(try await store.count(connector: "bench", stream: "articles")) articles (\(latencies.count) searches, top 10 with snippets): "
                + "p50 \(ms(at(latencies, 0.5))), p99 \(ms(at(latencies, 0.99))), max \(ms(latencies[latencies.count - 1]))")
            for term in terms {
                let matching = try await store.searchArticles(term, language: "en_US", limit: 1_000_000).count
                let now = try await store.searchArticles(term, language: "en_US", limit: 10)
                let same = now.map(\.id) == everyMatch[term, default: []].map(\.id) ? "same top 10 as ranking every match" : "TOP 10 DIFFERS"
                let sorted = byTerm[term, default: []].sorted()
                print("  \"\(term)\": \(matching) matching, p50 \(ms(at(sorted, 0.5))), p99 \(ms(at(sorted, 0.99))), by \(paths[term].map { "\($0)" } ?? "?"); \(same)")
                if ProcessInfo.processInfo.environment["SYNCLOAD_SHOW_TOP"] == "1" {
                    print("    top 10: " + now.map { "\($0.id) \(String(format: "%.6g", $0.rank))" }.joined(separator: ", "))
                }
            }
        }
        try await transport.shutdown()
    }
}

/// A sink that keeps what it is given.
actor CollectingSink: RecordSink {
    var batches: [RecordBatch] = []
    func commit(_ batch: RecordBatch) -> CommitResult {
        batches.append(batch)
        return CommitResult(removed: 0)
    }
    func reconcile(connector: String, stream: SyncStream, keeping ids: Set<String>) -> Int { 0 }
    func reconcile(connector: String, stream: SyncStream, writtenBefore date: Date) -> Int { 0 }
}
