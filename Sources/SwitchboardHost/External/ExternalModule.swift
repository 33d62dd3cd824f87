import ConnectorKit
import Foundation
import Logging
import ModuleProtocol

/// A module that runs as a child process (docs/module-protocol.md), described by its handshake. To
/// the host it is a ``ConnectorModule`` like any other: validate, `modules`, `run`, the API and
/// `doctor` treat its connectors exactly like built-in ones.
public struct ExternalModule: ConnectorModule {
    /// How to start it.
    public let declaration: ExternalModuleDeclaration
    /// The host's environment the allow-list reads.
    let hostEnvironment: [String: String]
    public let name: String
    public let summary: String
    public let features: [Feature]
    public let settings: SettingsSchema

    /// The protocol version this host speaks.
    public static let protocolVersion: Int64 = 1

    /// Starts the module once to read its description (`initialize`), then stops it.
    /// - Throws: ``ExternalModuleFailure`` saying why it could not be used.
    public static func describe(_ declaration: ExternalModuleDeclaration, hostEnvironment: [String: String] = ProcessInfo.processInfo.environment,
                                logger: Logger) async throws -> ExternalModule {
        let child: ChildProcess
        do {
            child = try ChildProcess(declaration.launch(hostEnvironment: hostEnvironment))
        } catch {
            throw ExternalModuleFailure(module: declaration.name, reason: "cannot start \(declaration.command): \(error)")
        }
        let peer = RPCPeer(child: child, logger: logger) { method, _ in throw RPCError.methodNotFound(method) }
        let description: JSONValue
        do {
            description = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await peer.serve() }
                defer { group.cancelAll() }
                let description = try await Self.initialize(peer, timeout: declaration.callTimeout)
                await peer.expectExit()
                _ = try? await peer.call("shutdown", timeout: .seconds(2))
                child.closeInput()
                await child.stop(grace: .seconds(2))
                return description
            }
        } catch {
            await peer.expectExit()
            await child.stop(grace: .seconds(1))
            throw ExternalModuleFailure(module: declaration.name, reason: "the handshake failed: \(error)")
        }
        return try ExternalModule(declaration: declaration, hostEnvironment: hostEnvironment, description: description)
    }

    static func initialize(_ peer: RPCPeer, timeout: Duration) async throws -> JSONValue {
        try await peer.call("initialize", .object([("protocolVersion", .integer(protocolVersion)), ("host", .string("switchboard 0.1.0"))]),
                            timeout: timeout)
    }

    init(declaration: ExternalModuleDeclaration, hostEnvironment: [String: String], description: JSONValue) throws {
        let module = declaration.name
        guard description["protocolVersion"]?.integerValue == Self.protocolVersion else {
            throw ExternalModuleFailure(module: module, reason: "it speaks protocol version \(description["protocolVersion"]?.description ?? "(none)"); this host speaks \(Self.protocolVersion)")
        }
        guard let name = description["name"]?.stringValue, name == module else {
            throw ExternalModuleFailure(module: module, reason: "it reports the name '\(description["name"]?.stringValue ?? "")'; declare it under modules: as that name")
        }
        guard let features = description["features"]?.arrayValue?.compactMap(\.stringValue), !features.isEmpty else {
            throw ExternalModuleFailure(module: module, reason: "it reports no features")
        }
        do {
            settings = try SettingsSchema(jsonSchema: description["settings"] ?? .object([JSONMember]()))
        } catch {
            throw ExternalModuleFailure(module: module, reason: "its settings schema cannot be read: \(error.message)")
        }
        self.declaration = declaration
        self.hostEnvironment = hostEnvironment
        self.name = name
        self.summary = description["summary"]?.stringValue ?? "(external module)"
        self.features = features.map { Feature($0) }
    }

    public func makeConnector(configuration: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector {
        ExternalConnector(module: self, configuration: configuration, context: context)
    }
}

/// An external module could not be used; says which and why.
public struct ExternalModuleFailure: Error, Sendable, CustomStringConvertible {
    /// The module.
    public let module: String
    /// Why.
    public let reason: String
    public var description: String { "external module \(module): \(reason)" }
}
