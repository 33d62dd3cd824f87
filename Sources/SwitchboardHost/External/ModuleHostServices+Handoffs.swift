import ConnectorKit
import Foundation
import ModuleProtocol

extension ModuleHostServices {
    // MARK: Handoffs: events, and the stored records a module resumes from

    /// `handoff.event`, `handoffs.get`, `handoffs.open`, `handoffs.save` — only this connector's
    /// handoffs, every update under the connector's handoff lock.
    func handoffCall(_ method: String, _ params: JSONValue) async throws -> JSONValue {
        let context = self.context
        switch method {
        case "handoffs.get":
            guard let id = params["handoffId"]?.stringValue else { throw RPCError.invalidParams("handoffs.get needs handoffId") }
            return .object([("handoff", try await context.handoffs.handoff(id: id).map(Wire.json) ?? .null)])
        case "handoffs.open":
            return .object([("handoffs", .array(try await context.handoffs.open().map(Wire.json)))])
        case "handoffs.save":
            guard let given = params["handoff"] else { throw RPCError.invalidParams("handoffs.save needs handoff: {…}") }
            let update = try Wire.handoffRecord(given, connector: context.connectorName)
            return try await handoffUpdates.run {
                // The host created the handoff (live-agent.start); the module moves what it knows:
                // the conversation, the status and the stream position.
                guard var record = try await context.handoffs.handoff(id: update.id) else {
                    throw RPCError(ConnectorError.notFound("no handoff \(update.id) of this connector"))
                }
                if !update.conversationId.isEmpty { record.conversationId = update.conversationId }
                record.status = update.status
                record.endReason = update.endReason
                record.lastEventId = update.lastEventId ?? record.lastEventId
                record.lastEntryAt = update.lastEntryAt ?? record.lastEntryAt
                record.statusChangedAt = update.statusChangedAt ?? record.statusChangedAt
                record.statusEntryId = update.statusEntryId ?? record.statusEntryId
                record.updatedAt = Date()
                try await context.handoffs.save(record)
                return JSONValue.object([JSONMember]())
            }
        default:
            return try await handoffEvent(params)
        }
    }

    /// A conversation entry for the assistant, relayed once per entry id. The module may say where
    /// the handoff stands (`state`) and how far its stream was read (`position`); both are stored in
    /// the event's transaction. Without `state`, the host derives the status from the kind.
    private func handoffEvent(_ params: JSONValue) async throws -> JSONValue {
        let event = try Wire.handoffEvent(params)
        let position = try Wire.handoffPosition(params["position"], handoffId: event.handoffId)
        let given = params["state"].flatMap { $0 == .null ? nil : $0 }
        let context = self.context
        return try await handoffUpdates.run {
            guard var record = try await context.handoffs.handoff(id: event.handoffId) else {
                throw RPCError(ConnectorError.notFound("no handoff \(event.handoffId) of this connector"))
            }
            var state: HandoffRecord?
            if let given {
                guard let status = given["status"]?.stringValue.flatMap(Handoff.Status.init(rawValue:)) else {
                    throw RPCError.invalidParams("handoff.event state.status must be pending, queued, active or ended")
                }
                if status != record.status || given["endReason"]?.stringValue != record.endReason {
                    record.status = status
                    record.endReason = given["endReason"]?.stringValue
                    record.statusChangedAt = event.occurredAt
                    record.statusEntryId = event.entryId
                    record.updatedAt = Date()
                    state = record
                }
            } else if let status = Self.derivedStatus(event.kind), status != record.status, record.status != .ended {
                record.status = status
                record.updatedAt = Date()
                if status == .ended, record.endReason == nil {
                    record.endReason = switch event.kind {
                    case .routingFailed(let reason): "routing failed: \(reason)"
                    case .endedByAgent: "ended by the agent"
                    case .sessionEnded(let who): who.endReason
                    default: "closed"
                    }
                }
                state = record
            }
            if let position, var moved = state {
                position.apply(to: &moved)
                state = moved
            }
            let id = try await context.events.emit(ConnectorEvent(connector: context.connectorName, payload: .handoff(event),
                                                                  deduplicationKey: "\(event.handoffId)/\(event.entryId)",
                                                                  handoffPosition: position, handoffState: state))
            return JSONValue.object([("id", .integer(id))])
        }
    }

    /// The status an event moves a handoff to, for modules that do not say.
    static func derivedStatus(_ kind: HandoffEvent.Kind) -> Handoff.Status? {
        switch kind {
        case .queued: .queued
        case .agentJoined: .active
        case .routingFailed, .endedByAgent, .sessionEnded, .closed: .ended
        default: nil
        }
    }

    // MARK: Event streams

    /// `sse.open` (`{"url","headers"?,"bearer"?,"oauth"?,"lastEventId"?,"idleTimeoutSeconds"?}` →
    /// `{"stream"}`), `sse.next` (`{"stream"}` → `{"event":{"type","data","id"}|null,"lastEventId","connections"}`),
    /// `sse.close` (`{"stream"}` → `{}`).
    func streamCall(_ method: String, _ params: JSONValue) async throws -> JSONValue {
        switch method {
        case "sse.open":
            guard let url = params["url"]?.stringValue else { throw RPCError.invalidParams("sse.open needs url") }
            var authorization: (any AccessTokenSource)?
            if let grant = params["oauth"], grant != .null {
                authorization = try tokens.source(grant, context: context) { value, field in try allowed(value, method: field) }
            } else if let bearer = params["bearer"]?.stringValue {
                authorization = ModuleBearerToken(bearer)
            }
            var configuration = SSEConnectionStateMachine.Configuration()
            if let seconds = params["idleTimeoutSeconds"]?.integerValue, seconds > 0 { configuration.idleTimeout = .seconds(seconds) }
            let request = EventStream.Request(url: url, headers: Wire.headers(params["headers"]), authorization: authorization,
                                              connector: context.connectorName, configuration: configuration,
                                              lastEventID: params["lastEventId"]?.stringValue)
            return .object([("stream", .string(try streams.open(request, transport: context.http)))])
        case "sse.next":
            guard let id = params["stream"]?.stringValue else { throw RPCError.invalidParams("sse.next needs stream") }
            let (event, lastEventID, connections) = try await streams.next(id)
            return .object([
                ("event", event.map { .object([("type", .string($0.type)), ("data", .string($0.data)), ("id", .string($0.id))]) } ?? .null),
                ("lastEventId", lastEventID.map(JSONValue.string) ?? .null), ("connections", .integer(Int64(connections))),
            ])
        default:
            guard let id = params["stream"]?.stringValue else { throw RPCError.invalidParams("sse.close needs stream") }
            streams.close(id)
            return .object([JSONMember]())
        }
    }
}
