import Foundation
import JWTKit
import Synchronization

/// The state of the fake org: records, issued tokens, registered connected apps, open query
/// cursors and the API usage counter. Every method is synchronous and thread-safe.
public final class SandboxOrg: Sendable {
    struct IssuedToken: Sendable {
        let username: String
        var expiresAt: ContinuousClock.Instant
    }

    struct Cursor: Sendable {
        let result: SOQLEvaluator.Result
        let batchSize: Int
    }

    struct State: Sendable {
        var objects: [String: [SandboxRecord]] = [:]
        /// Where each id lives: object name and position.
        var index: [String: (String, Int)] = [:]
        /// The newest SystemModstamp handed out, in milliseconds.
        var lastStamp: Int64 = 0
        /// The number behind the next created record's id (above any seeded one).
        var nextRecordNumber = 900_000
        var tokens: [String: IssuedToken] = [:]
        var apps: [String: ConnectedApp] = [:]
        var keys: [String: Insecure.RSA.PublicKey] = [:]
        var cursors: [String: Cursor] = [:]
        var cursorOrder: [String] = []
        var nextCursor = 1
        var nextToken = 1
        var apiUsage = 0
        var tokenRequests = 0
        var tokensIssued = 0
        var requestsByRoute: [String: Int] = [:]
        /// Query and queryMore requests per object, and the access tokens that made them.
        var queries: [String: (requests: Int, sessions: Set<String>)] = [:]
    }

    let configuration: SandboxConfiguration
    let state: Mutex<State>
    /// The org's objects: stock, with the configured custom fields.
    let schemas: [SObjectSchema]
    static let maxOpenCursors = 2000

    /// Seeds an org.
    public init(configuration: SandboxConfiguration) throws {
        self.configuration = configuration
        schemas = SObjectSchema.stock.map { $0.adding(configuration.customFields) }
        var state = State()
        for var record in configuration.seed.generate() {
            // The seed writes the custom fields a demo org usually has; an org without them has no such values.
            if let schema = schemas.first(where: { $0.name == record.object }) { record.keepOnly(schema) }
            state.objects[record.object, default: []].append(record)
            state.index[record.id] = (record.object, state.objects[record.object]!.count - 1)
            if case .dateTime(let stamp) = record["SystemModstamp"] { state.lastStamp = max(state.lastStamp, stamp) }
        }
        self.state = Mutex(state)
        for app in configuration.connectedApps { try register(app) }
    }

    /// The object with this API name, case-insensitively, with the org's custom fields.
    public func schema(named name: String) -> SObjectSchema? { schemas.first { $0.name.lowercased() == name.lowercased() } }

    // MARK: Connected apps

    /// Registers (or replaces) a connected app.
    /// - Throws: when the certificate is not a PEM X.509 certificate with an RSA key.
    public func register(_ app: ConnectedApp) throws {
        let key = try Insecure.RSA.PublicKey(certificatePEM: app.certificate)
        state.withLock {
            $0.apps[app.consumerKey] = app
            $0.keys[app.consumerKey] = key
        }
    }

    /// The app registered under a consumer key.
    func app(_ consumerKey: String) -> ConnectedApp? { state.withLock { $0.apps[consumerKey] } }

    /// A jwt-kit key collection holding the app's certificate key.
    func verificationKeys(for consumerKey: String) async -> JWTKeyCollection? {
        guard let key = state.withLock({ $0.keys[consumerKey] }) else { return nil }
        return await JWTKeyCollection().add(rsa: key, digestAlgorithm: .sha256)
    }

    // MARK: Tokens

    /// Counts a call to the token endpoint.
    func countTokenRequest() { state.withLock { $0.tokenRequests += 1 } }

    /// Issues an access token for a user, as the token endpoint does after a valid assertion
    /// (tests and benchmarks use it directly when the JWT flow is not what they measure).
    public func issueToken(username: String) -> String {
        state.withLock { state in
            state.nextToken += 1
            state.tokensIssued += 1
            var random = SystemRandomNumberGenerator()
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._")
            let tail = String((0..<48).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            let token = "\(configuration.organizationID.prefix(15))!AQ\(state.nextToken).\(tail)"
            state.tokens[token] = IssuedToken(username: username, expiresAt: .now + configuration.tokenLifetime)
            return token
        }
    }

    /// The user a valid token belongs to; nil when unknown or expired.
    func session(for token: String) -> String? {
        state.withLock { state in
            guard let issued = state.tokens[token], issued.expiresAt > .now else { return nil }
            return issued.username
        }
    }

    /// Expires every issued token now (fault injection: "expire the token now").
    public func expireAllTokens() {
        state.withLock { state in
            for key in state.tokens.keys { state.tokens[key]?.expiresAt = .now - .seconds(1) }
        }
    }

    // MARK: API usage

    /// Counts an API call; false when the daily limit is spent.
    func countAPICall() -> Bool {
        state.withLock { state in
            guard state.apiUsage < configuration.dailyApiLimit else { return false }
            state.apiUsage += 1
            return true
        }
    }

    /// The `Sforce-Limit-Info` value.
    var limitInfo: String { state.withLock { "api-usage=\($0.apiUsage)/\(configuration.dailyApiLimit)" } }

    func countRequest(route: String) { state.withLock { $0.requestsByRoute[route, default: 0] += 1 } }

    /// Counts a query (or one of its further pages) of `object` made with `token`.
    func countQuery(object: String, token: String) {
        state.withLock { state in
            state.queries[object, default: (0, [])].requests += 1
            state.queries[object]?.sessions.insert(token)
        }
    }

    /// Counters for tests and the control API.
    public struct Stats: Sendable, Codable, Hashable {
        /// Calls to the token endpoint.
        public var tokenRequests: Int
        /// Tokens issued.
        public var tokensIssued: Int
        /// API calls counted against the daily limit.
        public var apiUsage: Int
        /// Requests per route pattern.
        public var requestsByRoute: [String: Int]
        /// Query and queryMore requests per object (`Contact`), and how many access tokens made
        /// them — one per host that ran the object's sync.
        public var queries: [String: QueryCount]
    }

    /// Requests for one object's rows.
    public struct QueryCount: Sendable, Codable, Hashable {
        /// Queries and further pages.
        public var requests: Int
        /// Distinct access tokens (sessions) among them.
        public var sessions: Int
    }

    /// The counters.
    public var stats: Stats {
        state.withLock {
            Stats(tokenRequests: $0.tokenRequests, tokensIssued: $0.tokensIssued, apiUsage: $0.apiUsage, requestsByRoute: $0.requestsByRoute,
                  queries: $0.queries.mapValues { QueryCount(requests: $0.requests, sessions: $0.sessions.count) })
        }
    }

    // MARK: Records and queries

    /// Every record of an object (including deleted ones).
    public func records(_ object: String) -> [SandboxRecord] { state.withLock { $0.objects[object] ?? [] } }

    /// Runs a query and returns its first page plus the cursor for the rest.
    func runQuery(_ evaluator: SOQLEvaluator, includeDeleted: Bool, batchSize: Int) -> (page: [QueryRow], total: Int, locator: String?) {
        state.withLock { state in
            let result = evaluator.run(over: state.objects[evaluator.schema.name] ?? [], includeDeleted: includeDeleted)
            let page = result.rows(0..<min(batchSize, result.count))
            guard result.count > batchSize else { return (page, result.count, nil) }
            let locator = "01gSBX" + String(format9: state.nextCursor) + "AAA"
            state.nextCursor += 1
            state.cursors[locator] = Cursor(result: result, batchSize: batchSize)
            state.cursorOrder.append(locator)
            if state.cursorOrder.count > Self.maxOpenCursors { state.cursors[state.cursorOrder.removeFirst()] = nil }
            return (page, result.count, "\(locator)-\(batchSize)")
        }
    }

    /// A later page of an open cursor: `locator-offset`.
    func nextPage(_ locatorAndOffset: String) -> (object: String, page: [QueryRow], total: Int, next: String?)? {
        guard let dash = locatorAndOffset.lastIndex(of: "-"), let offset = Int(locatorAndOffset[locatorAndOffset.index(after: dash)...]) else { return nil }
        let locator = String(locatorAndOffset[..<dash])
        return state.withLock { state in
            guard let cursor = state.cursors[locator], offset >= 0, offset < cursor.result.count else { return nil }
            let end = min(offset + cursor.batchSize, cursor.result.count)
            let next = end < cursor.result.count ? "\(locator)-\(end)" : nil
            if next == nil { state.cursors[locator] = nil }
            return (cursor.result.object, cursor.result.rows(offset..<end), cursor.result.count, next)
        }
    }
}
