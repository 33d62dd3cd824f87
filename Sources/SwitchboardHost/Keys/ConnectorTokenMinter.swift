import ConnectorKit
import Foundation

/// `jwt mint --connector NAME --flow F`: the token flows a connector's module offers
/// (``ConnectorModule/tokenFlows(for:)``), looked up by name. The host knows no flow itself.
public enum ConnectorTokenMinter {
    /// The flows a connector's module offers.
    public static func flows(for connector: ConnectorConfiguration, registry: ModuleRegistry) -> [TokenFlow] {
        registry.module(named: connector.module)?.tokenFlows(for: connector) ?? []
    }

    /// The plan of flow `name` for a connector.
    /// - Throws: ``KeyToolError`` naming the flows there are when the module has no such flow; the
    ///   flow's own error (what is missing) otherwise.
    public static func plan(flow name: String, connector: ConnectorConfiguration, registry: ModuleRegistry,
                            request: TokenFlow.Request) throws -> TokenFlow.Plan {
        let flows = flows(for: connector, registry: registry)
        guard let flow = flows.first(where: { $0.name == name }) else {
            throw KeyToolError("connector \(connector.name) (module \(connector.module)) has no '\(name)' token flow; "
                + (flows.isEmpty ? "its module signs no tokens" : "it offers: " + flows.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ")))
        }
        return try flow.plan(request)
    }
}
