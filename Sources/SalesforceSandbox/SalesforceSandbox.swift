import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// A faithful fake Salesforce org on real HTTP: the OAuth JWT bearer token endpoint (verifying
/// assertions against the registered certificate), REST queries over seeded data with paging and
/// `Sforce-Limit-Info`, Enhanced Messaging with a scripted agent, a Dynamics 365 org (Entra token
/// endpoint and contacts), and fault injection through `/__sandbox/…`.
///
/// It is a ServiceLifecycle `Service`: run it in a `ServiceGroup` (or use ``withRunning(configuration:logger:_:)``)
/// and it stops on graceful shutdown, streams included.
public final class SalesforceSandbox: Service, Sendable, CustomStringConvertible {
    /// Why the sandbox cannot start.
    public struct StartError: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        public let description: String
    }

    /// The org's state.
    public let org: SandboxOrg
    /// The Enhanced Messaging deployment's state.
    public let messaging: MessagingOrg
    /// The Dynamics 365 org's state.
    public let dynamics: DynamicsOrg
    /// The active faults.
    public let faults: FaultInjector
    private let configuration: SandboxConfiguration
    private let logger: Logger
    private let listening = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    /// Seeds the org. Nothing listens until ``run()``.
    /// - Throws: ``StartError`` for a non-loopback address without `allowRemote`; a certificate error for a bad connected app.
    public init(configuration: SandboxConfiguration = SandboxConfiguration(), logger: Logger) throws {
        guard configuration.allowRemote || ["127.0.0.1", "::1", "localhost"].contains(configuration.host) else {
            throw StartError(description: "the sandbox listens on loopback only; \(configuration.host) needs --allow-remote")
        }
        self.configuration = configuration
        self.logger = logger
        self.org = try SandboxOrg(configuration: configuration)
        self.messaging = try MessagingOrg(configuration: configuration.messaging, organizationID: configuration.organizationID)
        let org = self.org
        self.dynamics = DynamicsOrg(configuration: configuration.dynamics, people: { org.records("Contact") })
        self.faults = FaultInjector()
    }

    public var description: String { "SalesforceSandbox(\(configuration.host):\(configuration.port))" }

    /// The bytes `/__sandbox/stream` sends for one event (for tests that cut a stream at a known place).
    public static func streamFrame(id: Int) -> String { EventStreamRoute.frame(id: id) }

    /// The port, once listening.
    public func port() async -> Int {
        await withCheckedContinuation { continuation in
            let port: Int? = listening.withLock { state in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let port { continuation.resume(returning: port) }
        }
    }

    /// `http://host:port`, once listening: the login URL, the instance URL and the audience.
    public func baseURL() async -> String {
        let port = await port()
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "http://\(host):\(port)"
    }

    private func currentBaseURL() -> String {
        let port = listening.withLock { $0.port } ?? configuration.port
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "http://\(host):\(port)"
    }

    /// Serves until graceful shutdown.
    public func run() async throws {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: RouteCounterMiddleware(org: org))
        router.add(middleware: LimitInfoMiddleware(org: org))
        router.add(middleware: FaultMiddleware(faults: faults, org: org, messaging: messaging, dynamics: dynamics))
        TokenRoutes(org: org, baseURL: { [self] in currentBaseURL() }).add(to: router)
        let session = SessionCheck(org: org)
        QueryRoutes(org: org, session: session).add(to: router)
        DescribeRoute(org: org, session: session).add(to: router)
        SObjectRoutes(org: org, session: session).add(to: router)
        ControlRoutes(org: org, faults: faults, messaging: messaging).add(to: router)
        EventStreamRoute().add(to: router)
        MessagingRoutes(messaging: messaging).add(to: router)
        MessagingStreamRoute(messaging: messaging).add(to: router)
        MessagingControlRoutes(messaging: messaging).add(to: router)
        DynamicsRoutes(dynamics: dynamics, baseURL: { [self] in currentBaseURL() }).add(to: router)
        let app = Application(
            router: router, configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "SalesforceSandbox"),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? configuration.port
                let waiters = listening.withLock { state in
                    state.port = port
                    defer { state.waiters = [] }
                    return state.waiters
                }
                for waiter in waiters { waiter.resume(returning: port) }
            },
            logger: logger)
        try await withThrowingDiscardingTaskGroup { group in
            if let interval = configuration.agentInterval {
                group.addTask { await SimulatedAgent(org: self.org, interval: interval).run() }
            }
            if configuration.messaging.script != nil {
                group.addTask { await self.messaging.runScript() }
            }
            group.addTask { try await app.run() }
        }
    }

    /// Runs one round of the simulated agent's work now.
    public func agentStep() { SimulatedAgent(org: org, interval: .seconds(1)).step() }

    /// Runs a sandbox for the duration of `body`, then shuts it down gracefully.
    public static func withRunning<T: Sendable>(configuration: SandboxConfiguration = SandboxConfiguration(),
                                                logger: Logger = Logger(label: "sandbox", factory: { _ in SwiftLogNoOpLogHandler() }),
                                                _ body: @Sendable (SalesforceSandbox) async throws -> T) async throws -> T {
        let sandbox = try SalesforceSandbox(configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [sandbox], gracefulShutdownSignals: [], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            _ = await sandbox.port()
            do {
                let result = try await body(sandbox)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}

/// Counts requests per route (a query locator's path counts as `…/query/{locator}`).
struct RouteCounterMiddleware<Context: RequestContext>: RouterMiddleware {
    let org: SandboxOrg

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var path = request.uri.path
        if let range = path.range(of: "/query/") { path = String(path[..<range.upperBound]) + "{locator}" }
        org.countRequest(route: "\(request.method.rawValue) \(path)")
        return try await next(request, context)
    }
}

/// Adds `Sforce-Limit-Info` to every Salesforce response that lacks it (the control API excepted).
struct LimitInfoMiddleware<Context: RequestContext>: RouterMiddleware {
    let org: SandboxOrg

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        let name = HTTPField.Name("Sforce-Limit-Info")!
        if !request.uri.path.hasPrefix("/__sandbox/"), response.headers[name] == nil { response.headers[name] = org.limitInfo }
        return response
    }
}
