import ConnectorKit
import Foundation
import MCP

/// The host's features as MCP tools, one per action. Each tool calls the host's own HTTP API (v1),
/// so a tool's result is the API's JSON and a tool error carries exactly the API's `code` and
/// `message` — there is one implementation of every operation, and MCP is a second way in.
public struct HostTools: Sendable {
    /// One tool: its definition, the features it serves (listed when a running connector provides
    /// any of them), and the API request it makes.
    struct Definition: Sendable {
        var tool: Tool
        var features: Set<String>
        var request: @Sendable ([String: Value]) throws -> APIRequest

        init(tool: Tool, feature: String, request: @escaping @Sendable ([String: Value]) throws -> APIRequest) {
            self.init(tool: tool, features: [feature], request: request)
        }

        init(tool: Tool, features: Set<String>, request: @escaping @Sendable ([String: Value]) throws -> APIRequest) {
            self.tool = tool
            self.features = features
            self.request = request
        }
    }

    /// An API request a tool makes.
    struct APIRequest: Sendable {
        var method: String
        var path: String
        var query: [(String, String)] = []
        var body: Value?
        var headers: [(String, String)] = []
    }

    let api: HostAPIClient

    /// Tools over the API at `api`.
    public init(api: HostAPIClient) { self.api = api }

    /// The tools whose feature a running connector provides (`/v1/connectors`).
    public func available() async throws -> [Tool] {
        let features = try await api.runningFeatures()
        return Self.definitions.filter { !$0.features.isDisjoint(with: features) }.map(\.tool)
    }

    /// Runs a tool: the API's answer as structured content, or a tool error with the API's code and message.
    public func call(_ name: String, arguments: [String: Value]) async -> CallTool.Result {
        guard let definition = Self.definitions.first(where: { $0.tool.name == name }) else {
            return Self.failure(code: "not_found", message: "no tool named \(name)")
        }
        let request: APIRequest
        do {
            request = try definition.request(arguments)
        } catch let error as ToolArgumentError {
            return Self.failure(code: "invalid_parameter", message: error.message)
        } catch {
            return Self.failure(code: "invalid_parameter", message: "\(error)")
        }
        do {
            let (status, body) = try await api.send(request)
            let value = (try? JSONDecoder().decode(Value.self, from: Data(body))) ?? .object([:])
            let text = String(decoding: body, as: UTF8.self)
            guard (200..<300).contains(status) else {
                return CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)], structuredContent: Optional<Value>.some(value), isError: true)
            }
            return CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)], structuredContent: Optional<Value>.some(value), isError: false)
        } catch {
            return Self.failure(code: "unavailable", message: "the host's API did not answer: \(error)")
        }
    }

    static func failure(code: String, message: String) -> CallTool.Result {
        let value = Value.object(["error": .object(["code": .string(code), "message": .string(message)])])
        let text = #"{"error":{"code":"# + JSONValue.string(code).description + #","message":"# + JSONValue.string(message).description + "}}"
        return CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)], structuredContent: Optional<Value>.some(value), isError: true)
    }
}

/// A tool called with arguments its schema does not allow.
struct ToolArgumentError: Error {
    let message: String
}
