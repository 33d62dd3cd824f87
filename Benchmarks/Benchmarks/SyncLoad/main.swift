import ConnectorKit
import Foundation
import Logging
import SalesforceConnector
import SalesforceSandbox
import SwitchboardHost

// A full contact sync from the sandbox org over loopback into a fresh SQLite store, as the
// `salesforce` module runs it (JWT bearer session, 2,000-row pages, one transaction per page with
// its checkpoint). Prints records/s and the process's peak RSS. The sandbox runs in this process
// too (its seeded org is part of the RSS; the figure is printed before and after).

let arguments = Array(CommandLine.arguments.dropFirst())
let contacts = arguments.first.flatMap(Int.init) ?? 100_000
let articles = arguments.dropFirst().first.flatMap(Int.init) ?? 10_000
let quiet = Logger(label: "sync", factory: { _ in SwiftLogNoOpLogHandler() })

/// A sink that keeps what it is given.
actor CollectingSink: RecordSink {
    var batches: [RecordBatch] = []
    func commit(_ batch: RecordBatch) { batches.append(batch) }
    func reconcile(connector: String, stream: String, keeping ids: Set<String>) -> Int { 0 }
}

/// CPU time of the whole process (every thread), in seconds.
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func elapsedSeconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func peakRSSMegabytes() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

let key = try KeyGenerator.generate(bits: 2048, keyID: "bench", subject: "CN=bench", days: 30)
var configuration = SandboxConfiguration()
configuration.seed = SeedData(seed: 42, contacts: contacts, cases: 0, articles: articles)
configuration.connectedApps = [ConnectedApp(consumerKey: "bench", certificate: key.certificatePEM)]
let directory = NSTemporaryDirectory() + "switchboard-syncload-" + UUID().uuidString
print("seeding \(contacts) contacts and \(articles) articles…")
let seedStart = ContinuousClock.now
try await SalesforceSandbox.withRunning(configuration: configuration, logger: quiet) { sandbox in
    print("sandbox start-up (seeding included): \(ContinuousClock.now - seedStart)")
    let rssAfterSeed = peakRSSMegabytes()
    let transport = HTTPTransport(logger: quiet)
    let vault = CredentialVault(configuration: .init(vaultPath: nil, masterKey: nil, baseDirectory: "/",
                                                     environment: ["BENCH_KEY": try key.privateKeyPEM.revealedString()]))
    let auth = SalesforceJWTBearerAuth(
        credentials: .init(consumerKey: "bench", username: SeedData.integrationUsername, loginURL: await sandbox.baseURL(),
                           privateKey: SecretReference(.env, "BENCH_KEY")),
        signer: JWTSigner(vault: vault), http: transport, connector: "bench")
    let store = try SQLiteStore(path: directory + "/state.db")
    let context = ConnectorContext(connectorName: "bench", vault: vault, http: transport, store: store, sink: store, events: store, logger: quiet)
    let sync = ContactSync(rest: SalesforceREST(auth: auth, http: transport, apiVersion: "62.0", connector: "bench"), sink: store,
                           store: context.store, settings: .init(fields: ["Department", "Title"], whereClause: "Email != null"))
    let started = ContinuousClock.now
    let syncCPUStart = processCPUSeconds()
    let report = try await sync.run(mode: .full)
    let syncCPU = processCPUSeconds() - syncCPUStart
    let seconds = elapsedSeconds(since: started)
    let stored = try await store.count(connector: "bench", stream: "users")
    print("contact sync: \(report.upserted) contacts in \(report.pages) pages, \(String(format: "%.2f", seconds)) s (\(String(format: "%.2f", syncCPU)) s CPU) → \(Int(Double(report.upserted) / seconds)) contacts/s; stored \(stored)")
    print(String(format: "peak RSS: %.0f MB (%.0f MB once the sandbox had seeded its org)", peakRSSMegabytes(), rssAfterSeed))

    // Where the time goes: the same sync into a sink that only keeps the batches (network and
    // decoding alone), then those batches committed to a fresh store (SQLite alone).
    let collector = CollectingSink()
    let fetchStart = ContinuousClock.now
    let fetchCPUStart = processCPUSeconds()
    _ = try await ContactSync(rest: SalesforceREST(auth: auth, http: transport, apiVersion: "62.0", connector: "bench"), sink: collector,
                              store: context.store, settings: .init(fields: ["Department", "Title"], whereClause: "Email != null")).run(mode: .full)
    let fetchSeconds = elapsedSeconds(since: fetchStart)
    let fetchCPU = processCPUSeconds() - fetchCPUStart
    let second = try SQLiteStore(path: directory + "/second.db")
    let commitStart = ContinuousClock.now
    let commitCPUStart = processCPUSeconds()
    for batch in await collector.batches { try await second.commit(batch) }
    let commitSeconds = elapsedSeconds(since: commitStart)
    let commitCPU = processCPUSeconds() - commitCPUStart
    let keep = Set(await collector.batches.flatMap { $0.upserts.compactMap { record -> String? in
        if case .user(let user) = record { user.id } else { nil }
    } })
    let reconcileStart = ContinuousClock.now
    _ = try await second.reconcile(connector: "bench", stream: "users", keeping: keep)
    let reconcileSeconds = elapsedSeconds(since: reconcileStart)
    print(String(format: "  of which: fetch + decode alone %.2f s (%.0f/s, %.2f s CPU); store commits alone %.2f s (%.0f/s, %.2f s CPU); reconcile %.2f s",
                 fetchSeconds, Double(contacts) / fetchSeconds, fetchCPU, commitSeconds, Double(contacts) / commitSeconds, commitCPU, reconcileSeconds))

    // Knowledge: a full load of the en_US articles, then search latency over them.
    let knowledge = KnowledgeSync(rest: SalesforceREST(auth: auth, http: transport, apiVersion: "62.0", connector: "bench"), sink: store,
                                  store: context.store, settings: .init(languages: ["en_US"], bodyFields: ["Body__c"]))
    let kStart = ContinuousClock.now
    let kReport = try await knowledge.run(mode: .full)
    let kSeconds = elapsedSeconds(since: kStart)
    print("knowledge load: \(kReport.upserted) articles in \(kReport.pages) pages, \(String(format: "%.2f", kSeconds)) s → \(Int(Double(kReport.upserted) / kSeconds)) articles/s")
    let terms = ["vpn", "printer restart", "password", "laptop", "email client", "expenses", "travel", "benefits power", "cable", "help desk"]
    var latencies: [Duration] = []
    for round in 0..<1000 {
        let t0 = ContinuousClock.now
        let hits = try await store.searchArticles(terms[round % terms.count], language: "en_US", limit: 10)
        latencies.append(ContinuousClock.now - t0)
        precondition(!hits.isEmpty)
    }
    latencies.sort()
    func ms(_ d: Duration) -> String { String(format: "%.2f ms", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000) }
    print("knowledge search over \(try await store.count(connector: "bench", stream: "articles")) articles: p50 \(ms(latencies[500])), p99 \(ms(latencies[990])), max \(ms(latencies[999]))")
    try await transport.shutdown()
}
try? FileManager.default.removeItem(atPath: directory)
