import ConnectorKit
import Foundation
import Logging
import ModuleProtocol

/// What an external module may ask of the host (docs/module-protocol.md, "Module → host calls"),
/// scoped to one connector: only the secret references its settings hold in fields its schema marks
/// secret resolve or sign; records, checkpoints and events go to this connector's store.
struct ModuleHostServices: Sendable {
    let module: String
    let context: ConnectorContext
    /// The secret references the instance's settings hold in secret fields.
    let allowedSecrets: Set<SecretReference>
    /// Serializes updates of this connector's handoff records.
    let handoffUpdates: AsyncLock
    /// Access tokens the host gets for the module's requests.
    let tokens = ModuleTokenSources()
    /// The event streams the host reads for the module's current child.
    let streams = ModuleEventStreams()
    /// The leases of the syncs in flight: the module's writes are fenced by them.
    let fences = SyncFences()

    init(module: String, configuration: ConnectorConfiguration, schema: SettingsSchema, context: ConnectorContext, handoffUpdates: AsyncLock = AsyncLock()) {
        self.module = module
        self.context = context
        self.handoffUpdates = handoffUpdates
        allowedSecrets = Self.secrets(configuration.settings, schema: schema)
    }

    static func secrets(_ settings: SettingsObject, schema: SettingsSchema) -> Set<SecretReference> {
        var found: Set<SecretReference> = []
        for field in schema.fields {
            guard let value = settings[field.name] else { continue }
            switch (field.type, value) {
            case (.secret, .secret(let reference)), (.sensitiveString, .secret(let reference)): found.insert(reference)
            case (.object(let nested), .object(let object)): found.formUnion(secrets(object, schema: nested))
            case (.list(.secret), .list(let items)): for case .secret(let reference) in items { found.insert(reference) }
            default: break
            }
        }
        return found
    }

    /// The calls that write what a sync produces; while a fenced sync runs, they are fenced by it.
    static let syncWrites: Set<String> = ["state.set", "records.commit", "records.reconcile", "events.emit", "ticket.event"]

    /// Serves one call. To the module, a write refused under a lost lease is `conflict` (its sync
    /// runs on another host now: stop it), a store that does not answer `unavailable` (retry).
    func handle(_ method: String, _ params: JSONValue) async throws -> JSONValue {
        do {
            if Self.syncWrites.contains(method) { return try await fences.fence { try await serve(method, params) } }
            return try await serve(method, params)
        } catch let lost as LeaseLost {
            throw RPCError(ConnectorError.conflict("\(method) refused: this sync's lease moved to another host, which runs it now (\(lost.lease.name)); stop this run"))
        } catch let error as StoreUnavailable {
            throw RPCError(ConnectorError.unavailable("\(method) failed: \(error); retry"))
        }
    }

    private func serve(_ method: String, _ params: JSONValue) async throws -> JSONValue {
        switch method {
        case "secrets.resolve":
            let reference = try allowed(params["reference"], method: method)
            let value = try context.vault.resolve(reference).revealedString()
            // A private key is used where it is, never handed out: jwt.sign and jwt.signInput sign with it.
            guard !Self.isPrivateKey(value) else {
                context.logger.warning("refused to hand a private key to an external module", metadata: ["reference": .string(reference.description)])
                throw RPCError(ConnectorError.unauthorized("\(reference) holds a private key, which stays in the host: sign with jwt.sign or jwt.signInput"))
            }
            return .object([("value", .string(value))])
        case "jwt.sign":
            let key = try allowed(params["key"], method: method)
            guard let members = params["claims"]?.members else { throw RPCError.invalidParams("jwt.sign needs claims: {…}") }
            var claims = JWTClaims()
            for member in members { claims[member.name] = member.value }
            let algorithm = params["algorithm"]?.stringValue.flatMap(JWTAlgorithm.init(rawValue:)) ?? .rs256
            let token = try context.signer.sign(claims, with: try context.signer.signingKey(key), algorithm: algorithm,
                                                keyID: params["keyId"]?.stringValue)
            return .object([("token", .string(token))])
        case "jwt.signInput":
            let key = try allowed(params["key"], method: method)
            guard let encoded = params["input"]?.stringValue, let input = Data(base64Encoded: encoded) else {
                throw RPCError.invalidParams("jwt.signInput needs input: base64 of the JWS signing input")
            }
            let algorithm = params["algorithm"]?.stringValue.flatMap(JWTAlgorithm.init(rawValue:)) ?? .rs256
            let signature = try context.signer.signingKey(key).sign(Array(input), algorithm: algorithm)
            return .object([("signature", .string(Data(signature).base64EncodedString()))])
        case "state.get":
            guard let key = params["key"]?.stringValue else { throw RPCError.invalidParams("state.get needs key") }
            let value = try await context.store.moduleState(key: key)
            return .object([("value", value.map { .string($0.base64EncodedString()) } ?? .null)])
        case "state.set":
            guard let key = params["key"]?.stringValue else { throw RPCError.invalidParams("state.set needs key") }
            let value = params["value"]?.stringValue.flatMap { Data(base64Encoded: $0) }
            try await context.store.setModuleState(key: key, value: value)
            return .object([JSONMember]())
        case "http.request":
            return try await http(params)
        case "records.commit":
            let stream = try stream(params)
            var upserts: [SyncRecord] = []
            for record in params["upserts"]?.arrayValue ?? [] { upserts.append(try Wire.record(record)) }
            let deletions = (params["deletions"]?.arrayValue ?? []).compactMap(\.stringValue)
            let result = try await context.sink.commit(RecordBatch(connector: context.connectorName, stream: stream, upserts: upserts,
                                                                   deletions: deletions, checkpoint: params["checkpoint"]?.stringValue))
            return .object([("removed", .integer(Int64(result.removed)))])
        case "records.reconcile":
            let stream = try stream(params)
            let removed: Int
            if let keeping = params["keeping"]?.arrayValue {
                removed = try await context.sink.reconcile(connector: context.connectorName, stream: stream, keeping: Set(keeping.compactMap(\.stringValue)))
            } else if params["writtenBefore"] != nil {
                removed = try await context.sink.reconcile(connector: context.connectorName, stream: stream,
                                                           writtenBefore: try Wire.date(params["writtenBefore"], field: "writtenBefore"))
            } else {
                throw RPCError.invalidParams("records.reconcile needs keeping: [id] or writtenBefore: date")
            }
            return .object([("removed", .integer(Int64(removed)))])
        case "checkpoint.get":
            let cursor = try await context.store.checkpoint(stream: try stream(params))?.cursor
            return .object([("cursor", cursor.map(JSONValue.string) ?? .null)])
        case "events.emit":
            guard let type = params["type"]?.stringValue, type.hasPrefix(module + ".") else {
                throw RPCError(ConnectorError.invalidRequest("event types of module \(module) start with '\(module).'", field: "type"))
            }
            let event = try ModuleEvent(type: type, subject: params["subject"]?.stringValue, data: params["data"] ?? .object([JSONMember]()))
            let id = try await context.events.emit(ConnectorEvent(connector: context.connectorName, payload: .module(event)))
            return .object([("id", .integer(id))])
        case "handoff.event", "handoffs.get", "handoffs.open", "handoffs.save":
            return try await handoffCall(method, params)
        case "sse.open", "sse.next", "sse.close":
            return try await streamCall(method, params)
        case "users.find":
            guard let email = params["email"]?.stringValue, !email.isEmpty else { throw RPCError.invalidParams("users.find needs email") }
            let found = try await context.users.users(email: email)
            return .object([("users", .array(found.map { .object([("connector", .string($0.connector)), ("record", Wire.json(SyncRecord.user($0.user)))]) }))])
        case "users.get":
            guard let id = params["id"]?.stringValue, !id.isEmpty else { throw RPCError.invalidParams("users.get needs id") }
            let user = try await context.users.user(connector: context.connectorName, id: id)
            return .object([("record", user.map { Wire.json(SyncRecord.user($0)) } ?? .null)])
        case "ticket.event":
            let event = try Wire.ticketEvent(params)
            let id = try await context.events.emit(ConnectorEvent(connector: context.connectorName, payload: .ticket(event)))
            return .object([("id", .integer(id))])
        default:
            throw RPCError.methodNotFound(method)
        }
    }

    /// A secret reference the instance was configured with in a secret field; anything else is
    /// refused and logged (the reference is not secret, its value would be).
    func allowed(_ value: JSONValue?, method: String) throws -> SecretReference {
        guard let text = value?.stringValue, let reference = try? SecretReference.parse(text) else {
            throw RPCError.invalidParams("\(method) needs a secret reference (env:NAME, file:PATH or vault:NAME)")
        }
        guard allowedSecrets.contains(reference) else {
            context.logger.warning("refused an external module's request for a secret it was not configured with",
                                   metadata: ["method": .string(method), "reference": .string(text)])
            throw RPCError(ConnectorError.unauthorized("\(text) is not one of this connector's secret settings"))
        }
        return reference
    }

    /// Whether a secret value is a PEM private key (PKCS#1, PKCS#8, EC, encrypted or OpenSSH).
    static func isPrivateKey(_ value: String) -> Bool {
        value.range(of: #"-----BEGIN [A-Z ]*PRIVATE KEY-----"#, options: .regularExpression) != nil
    }

    private func stream(_ params: JSONValue) throws -> SyncStream {
        guard let name = params["stream"]?.stringValue, !name.isEmpty else { throw RPCError.invalidParams("stream is required (users, articles, …)") }
        return SyncStream(storedName: name)
    }

    private func http(_ params: JSONValue) async throws -> JSONValue {
        guard let url = params["url"]?.stringValue else { throw RPCError.invalidParams("http.request needs url") }
        let headers = Wire.headers(params["headers"])
        var body: [UInt8]?
        if let encoded = params["body"]?.stringValue {
            guard let data = Data(base64Encoded: encoded) else { throw RPCError.invalidParams("http.request body must be base64") }
            body = Array(data)
        }
        let authorization: (any AccessTokenSource)? = try params["oauth"].map { grant in
            try tokens.source(grant, context: context) { value, field in try allowed(value, method: field) }
        }
        let response = try await context.http.send(HTTPTransport.Request(
            method: params["method"]?.stringValue ?? "GET", url: url, headers: headers, body: body,
            safeToRepeat: params["safeToRepeat"]?.boolValue, authorization: authorization, connector: context.connectorName))
        return .object([
            ("status", .integer(Int64(response.status))),
            ("headers", Wire.json(headers: response.headers)),
            ("body", .string(Data(response.body).base64EncodedString())),
        ])
    }
}
