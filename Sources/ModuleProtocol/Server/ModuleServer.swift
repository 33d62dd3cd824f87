import ConnectorKit
import Foundation
import Logging
import ServiceLifecycle

/// Serves a Swift ``ConnectorModule`` over the external module protocol (docs/module-protocol.md), so
/// the same module code runs in the host's process or in its own:
///
/// ```swift
/// // main.swift of an executable target
/// import ModuleProtocol
/// await ModuleServer.serve(PayrollModule())
/// ```
///
/// The module's ``ConnectorContext`` is the host's, across the process boundary: its vault resolves
/// through the host (only references in the connector's secret settings), its signer signs there
/// (the private key never comes here), its HTTP requests go through the host's transport, and its
/// records, checkpoints, state and module events go to the host's store. Logs go to stderr, which
/// the host relays; event streams (SSE) are read by the host's transport; handoff records are the
/// host's, under the module's own ids.
public enum ModuleServer {
    /// Answers the host until `shutdown` or the end of stdin.
    /// - Parameters:
    ///   - module: The module.
    ///   - name: The name it reports in the handshake, when not its own (a built-in module served under
    ///     another name beside the in-process one, as `switchboard modules serve NAME --as OTHER` does).
    public static func serve(_ module: any ConnectorModule, as name: String? = nil) async {
        LoggingSystem.bootstrap { ModuleLogHandler(label: $0) }
        let host = HostConnection()
        host.startReading()
        let served = ServedConnector(module: module, name: name ?? module.name, host: host)
        let inFlight = InFlightCalls()
        for await message in host.incoming {
            switch message {
            case .notification(let method, let params) where method == "$/cancelRequest":
                // The host gave up on a call: cancel its work (its answer, if any, is ignored there).
                if let id = params["id"] { await inFlight.cancel(id) }
            case .request(let id, let method, _) where method == "shutdown":
                await inFlight.cancelAll()
                await served.stop()
                host.send(.response(id: id, result: .object([JSONMember]())))
                return
            case .request(let id, let method, let params):
                await inFlight.start(id) {
                    host.send(await RPCMessage.answer(id: id) { try await served.handle(method, params) })
                }
            default:
                continue
            }
        }
        await inFlight.cancelAll()
        await served.stop()
    }
}

/// The host's calls being served, by id: each runs in a task of its own so that `$/cancelRequest`
/// can cancel exactly it; the server cancels and awaits all of them before it stops.
actor InFlightCalls {
    private var tasks: [JSONValue: Task<Void, Never>] = [:]

    func start(_ id: JSONValue, _ work: @escaping @Sendable () async -> Void) {
        tasks[id] = Task {
            await work()
            self.finished(id)
        }
    }

    private func finished(_ id: JSONValue) { tasks[id] = nil }

    func cancel(_ id: JSONValue) { tasks[id]?.cancel() }

    func cancelAll() async {
        let running = Array(tasks.values)
        for task in running { task.cancel() }
        for task in running { await task.value }
    }
}

/// The one connector a served module runs, once the host has sent `connector.start`.
actor ServedConnector {
    let module: any ConnectorModule
    /// The name reported in the handshake.
    let name: String
    let host: HostConnection
    private var connector: (any Connector)?
    private var runner: ServiceGroup?
    private var running: Task<Void, Never>?
    private var transport: HTTPTransport?
    private let handoffIDs = HandoffIDs()
    private var store: RemoteStore?

    init(module: any ConnectorModule, name: String, host: HostConnection) {
        self.module = module
        self.name = name
        self.host = host
    }

    func handle(_ method: String, _ params: JSONValue) async throws -> JSONValue {
        switch method {
        case "initialize":
            guard params["protocolVersion"]?.integerValue == 1 else { throw RPCError.invalidRequest("this module speaks protocol version 1") }
            return .object([
                ("protocolVersion", .integer(1)), ("name", .string(name)), ("summary", .string(module.summary)),
                ("features", .array(module.features.map { .string($0.rawValue) })), ("settings", module.settings.jsonSchema),
            ])
        case "connector.start":
            return try start(params)
        case "check":
            return Wire.json(await (try connected()).check())
        case "doctor":
            return .object([("checks", .array(await (try connected()).diagnose().map(Wire.json)))])
        case "keys.published":
            return .object([("keys", .array(try await connected().publishedKeys().map(\.json)))])
        case "sync.run":
            guard let feature = params["feature"]?.stringValue.map({ Feature($0) }),
                  let sync = try connected().syncs.first(where: { $0.feature == feature }) else {
                throw RPCError(ConnectorError.invalidRequest("no sync for feature \(params["feature"]?.description ?? "?")", field: "feature"))
            }
            let mode = params["mode"]?.stringValue.flatMap(SyncMode.init(rawValue:)) ?? .incremental
            return Wire.json(try await sync.run(mode) { _ in })
        case "live-agent.start", "live-agent.send", "live-agent.typing", "live-agent.end", "live-agent.logout":
            guard let liveAgent = try connected().liveAgent else { throw RPCError(ConnectorError.featureNotEnabled(.liveAgent)) }
            return try await liveAgentCall(method, params, liveAgent)
        case "ticketing.create", "ticketing.get", "ticketing.list", "ticketing.update", "ticketing.comment":
            guard let ticketing = try connected().ticketing else { throw RPCError(ConnectorError.featureNotEnabled(.ticketing)) }
            return try await Self.ticketing(method, params, ticketing)
        default:
            throw RPCError.methodNotFound(method)
        }
    }

    private func connected() throws -> any Connector {
        guard let connector else { throw RPCError.invalidRequest("connector.start has not been called") }
        return connector
    }

    private func start(_ params: JSONValue) throws -> JSONValue {
        guard connector == nil else { throw RPCError.invalidRequest("connector.start was already called") }
        guard let name = params["name"]?.stringValue else { throw RPCError.invalidParams("connector.start needs name") }
        let features = (params["features"]?.arrayValue ?? []).compactMap(\.stringValue).map { Feature($0) }
        let settings = try SettingsObject(json: params["settings"] ?? .object([JSONMember]()), schema: module.settings)
        let host = self.host
        let logger = Logger(label: "module.\(module.name)")
        let vault = CredentialVault(remote: { (reference: SecretReference) throws(VaultError) -> Secret in
            do {
                guard let value = try host.callBlocking("secrets.resolve", .object([("reference", .string(reference.description))]))["value"]?.stringValue else {
                    throw VaultError.refusedByHost("no value in the answer")
                }
                return Secret(value)
            } catch let error as RPCError {
                throw VaultError.refusedByHost(error.message)
            } catch {
                throw VaultError.refusedByHost("\(error)")
            }
        }, redactor: SecretRedactor())
        let signer = JWTSigner(remote: { (key: SecretReference, input: [UInt8], algorithm: JWTAlgorithm) throws(JWTError) -> [UInt8] in
            do {
                let answer = try host.callBlocking("jwt.signInput", .object([
                    ("key", .string(key.description)), ("input", .string(Data(input).base64EncodedString())), ("algorithm", .string(algorithm.rawValue)),
                ]))
                guard let signature = answer["signature"]?.stringValue.flatMap({ Data(base64Encoded: $0) }) else { throw JWTError.signingFailed("no signature") }
                return Array(signature)
            } catch let error as JWTError {
                throw error
            } catch {
                throw JWTError.signingFailed("the host refused: \(error)")
            }
        })
        let http = HTTPTransport(remote: { request in
            let answer = try await host.call("http.request", .object([
                ("method", .string(request.method)), ("url", .string(request.url)),
                ("headers", Wire.json(headers: request.headers)),
                ("body", request.body.map { .string(Data($0).base64EncodedString()) }), ("safeToRepeat", .bool(request.safeToRepeat)),
            ]))
            let headers = Wire.headers(answer["headers"])
            let body = answer["body"]?.stringValue.flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? []
            return HTTPTransport.Response(status: Int(answer["status"]?.integerValue ?? 0), headers: headers, body: body)
        }, events: { request in HostEventStream(host: host, request: request) }, logger: logger)
        transport = http
        let store = RemoteStore(host: host, module: self.name, connector: name, handoffIDs: handoffIDs)
        self.store = store
        let context = ConnectorContext(connectorName: name, vault: vault, signer: signer, http: http, store: store, sink: store, events: store,
                                       users: store, handoffs: store, logger: logger)
        let configuration = ConnectorConfiguration(name: name, module: module.name, features: features, settings: settings)
        let made = try module.makeConnector(configuration: configuration, context: context)
        connector = made
        let group = ServiceGroup(configuration: .init(services: [made], gracefulShutdownSignals: [], logger: logger))
        runner = group
        running = Task { try? await group.run() }
        return .object([JSONMember]())
    }

    /// Ends the connector's `run()` gracefully and waits for it.
    func stop() async {
        await runner?.triggerGracefulShutdown()
        await running?.value
        runner = nil
        running = nil
        try? await transport?.shutdown()
        transport = nil
    }

    private func liveAgentCall(_ method: String, _ params: JSONValue, _ liveAgent: any LiveAgent) async throws -> JSONValue {
        if method == "live-agent.logout" {
            guard let employee = params["employeeId"]?.stringValue else { throw RPCError.invalidParams("live-agent.logout needs employeeId") }
            try await liveAgent.logout(employeeId: employee)
            return .object([JSONMember]())
        }
        guard let hostID = params["handoffId"]?.stringValue else { throw RPCError.invalidParams("\(method) needs handoffId") }
        if method == "live-agent.start" {
            // A record the module saves while starting is the host's handoff (HandoffIDs.starting).
            let request = try Wire.handoffRequest(params)
            let handoff = try await HandoffIDs.$starting.withValue(hostID) { try await liveAgent.startHandoff(request) }
            // What the module said before its id was known to be the host's goes now, in order.
            for event in await handoffIDs.link(module: handoff.id, host: hostID) { _ = try? await store?.emit(event) }
            return .object([("conversationId", .string(handoff.conversationId)), ("status", .string(handoff.status.rawValue))])
        }
        guard let moduleID = await handoffIDs.moduleID(for: hostID) else {
            throw RPCError(ConnectorError.notFound("no handoff \(hostID) in this module"))
        }
        switch method {
        case "live-agent.send":
            try await liveAgent.sendMessage(handoffId: moduleID, text: params["text"]?.stringValue ?? "")
        case "live-agent.typing":
            try await liveAgent.setTyping(handoffId: moduleID, isTyping: params["typing"]?.boolValue ?? false)
        default:
            try await liveAgent.endHandoff(handoffId: moduleID)
        }
        return .object([JSONMember]())
    }

    static func ticketing(_ method: String, _ params: JSONValue, _ ticketing: any Ticketing) async throws -> JSONValue {
        func text(_ name: String) throws -> String {
            guard let value = params[name]?.stringValue else { throw RPCError.invalidParams("\(method) needs \(name)") }
            return value
        }
        switch method {
        case "ticketing.create":
            let ticket = try await ticketing.createTicket(NewTicket(
                requesterEmail: try text("requesterEmail"), subject: try text("subject"), description: params["description"]?.stringValue,
                priority: params["priority"]?.stringValue, fields: params["fields"]?.stringMap ?? [:], idempotencyKey: try text("idempotencyKey")))
            return Wire.json(ticket)
        case "ticketing.get":
            return Wire.json(try await ticketing.ticket(id: try text("id")))
        case "ticketing.list":
            let state = params["state"]?.stringValue.flatMap(TicketStateFilter.init(rawValue:)) ?? .open
            return .object([("tickets", .array(try await ticketing.tickets(requesterEmail: try text("requesterEmail"), state: state).map(Wire.json)))])
        case "ticketing.update":
            let update = TicketUpdate(status: params["status"]?.stringValue, priority: params["priority"]?.stringValue, fields: params["fields"]?.stringMap ?? [:])
            return Wire.json(try await ticketing.updateTicket(id: try text("id"), update))
        default:
            return Wire.json(try await ticketing.addComment(ticketId: try text("ticketId"), body: try text("body"), isPublic: params["isPublic"]?.boolValue ?? false))
        }
    }
}
