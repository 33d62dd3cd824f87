import ConnectorKit

/// One JSON-RPC 2.0 message, as one line of the external module protocol.
public enum RPCMessage: Sendable, Hashable {
    /// A call that expects an answer.
    case request(id: JSONValue, method: String, params: JSONValue)
    /// A call that expects none.
    case notification(method: String, params: JSONValue)
    /// A successful answer.
    case response(id: JSONValue, result: JSONValue)
    /// A failed answer (`id` is null when the request could not be read).
    case failure(id: JSONValue, error: RPCError)

    /// Reads one line.
    /// - Throws: ``RPCError`` `-32700` for invalid JSON, `-32600` for a message that is not JSON-RPC 2.0.
    public static func parse(_ line: [UInt8]) throws(RPCError) -> RPCMessage {
        let value: JSONValue
        do { value = try JSONParser.parse(line) } catch { throw .parseError("not JSON: \(error)") }
        guard value["jsonrpc"]?.stringValue == "2.0" else { throw .invalidRequest("not a JSON-RPC 2.0 message (\"jsonrpc\":\"2.0\" is missing)") }
        let id = value["id"]
        if let id, !(id.stringValue != nil || id.integerValue != nil || id.isNull) {
            throw .invalidRequest("id must be a string, an integer or null")
        }
        if let method = value["method"] {
            guard let name = method.stringValue, !name.isEmpty else { throw .invalidRequest("method must be a non-empty string") }
            let params = value["params"] ?? .object([JSONMember]())
            guard params.members != nil || params.arrayValue != nil else { throw .invalidRequest("params must be an object") }
            if let id, !id.isNull { return .request(id: id, method: name, params: params) }
            return .notification(method: name, params: params)
        }
        guard let id else { throw .invalidRequest("a message needs a method or an id") }
        if let error = value["error"] {
            guard let code = error["code"]?.integerValue, let message = error["message"]?.stringValue else {
                throw .invalidRequest("error needs an integer code and a message")
            }
            return .failure(id: id, error: RPCError(code: Int(code), message: message, data: error["data"]))
        }
        guard let result = value["result"] else { throw .invalidRequest("a response needs a result or an error") }
        return .response(id: id, result: result)
    }

    /// The message as one line, without the newline.
    public var line: [UInt8] {
        let value: JSONValue = switch self {
        case .request(let id, let method, let params):
            .object([("jsonrpc", .string("2.0")), ("id", id), ("method", .string(method)), ("params", params)])
        case .notification(let method, let params):
            .object([("jsonrpc", .string("2.0")), ("method", .string(method)), ("params", params)])
        case .response(let id, let result):
            .object([("jsonrpc", .string("2.0")), ("id", id), ("result", result)])
        case .failure(let id, let error):
            .object([("jsonrpc", .string("2.0")), ("id", id), ("error", error.json)])
        }
        return value.serialized()
    }
}

extension RPCMessage {
    /// The answer to request `id`: `body`'s result, or its error as the protocol carries it — an
    /// ``RPCError`` as is, a ``ConnectorError`` with its code, a cancellation as `unavailable`, anything
    /// else as `upstream`. Both ends of the protocol answer the other side's calls through this.
    public static func answer(id: JSONValue, _ body: () async throws -> JSONValue) async -> RPCMessage {
        do {
            return .response(id: id, result: try await body())
        } catch let error as RPCError {
            return .failure(id: id, error: error)
        } catch let error as ConnectorError {
            return .failure(id: id, error: RPCError(error))
        } catch {
            return .failure(id: id, error: RPCError(code: RPCError.connectorErrorCode, message: "\(error)",
                                                    data: .object([("code", .string(error is CancellationError ? "unavailable" : "upstream"))])))
        }
    }
}
