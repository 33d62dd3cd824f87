import Foundation
import ConnectorKit

/// The connector modules the host can run, by name. The `switchboard` executable registers the
/// built-in modules; tests and embedders register their own.
public struct ModuleRegistry: Sendable {
    /// The modules, in registration order.
    public private(set) var modules: [any ConnectorModule] = []

    /// Creates a registry with some modules. Later duplicates of a name are ignored.
    public init(_ modules: [any ConnectorModule] = []) {
        for module in modules where self.module(named: module.name) == nil { self.modules.append(module) }
    }

    /// Adds a module.
    /// - Throws: ``ConnectorError`` when the name is taken or malformed.
    public mutating func register(_ module: any ConnectorModule) throws {
        guard module.name.range(of: "^[a-z][a-z0-9-]{0,62}$", options: .regularExpression) != nil else {
            throw ConnectorError.misconfigured("module name '\(module.name)' must be lowercase letters, digits and dashes")
        }
        guard self.module(named: module.name) == nil else {
            throw ConnectorError.misconfigured("a module named '\(module.name)' is already registered")
        }
        modules.append(module)
    }

    /// The module with a name.
    public func module(named name: String) -> (any ConnectorModule)? { modules.first { $0.name == name } }

    /// The module names, sorted.
    public var names: [String] { modules.map(\.name).sorted() }

    /// Every feature any module provides, plus the built-in ones, sorted.
    public var allFeatures: [Feature] {
        Array(Set(Feature.builtIn + modules.flatMap(\.features))).sorted()
    }
}
