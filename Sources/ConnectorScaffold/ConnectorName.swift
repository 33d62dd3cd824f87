/// A new module's name (`hr-export`) and the Swift names derived from it (`HrExportModule` in target
/// `HrExportConnector`, tested by `HrExportConnectorTests`).
public struct ConnectorName: Sendable, Hashable {
    /// The module name, as `module:` in connectors.yaml.
    public let module: String
    /// The Swift type prefix (`HrExport`).
    public let typePrefix: String

    /// Validates a module name: lowercase letters and digits in dash-separated words, starting with
    /// a letter, at most 40 characters.
    public init(_ text: String) throws(ScaffoldError) {
        guard text.count <= 40, text.range(of: "^[a-z][a-z0-9]*(-[a-z0-9]+)*$", options: .regularExpression) != nil else {
            throw ScaffoldError(.invalidName, "'\(text)' is not a module name: use lowercase letters and digits in dash-separated words, starting with a letter (like zendesk or hr-export)")
        }
        guard !["switchboard", "connector", "host", "sandbox"].contains(text) else {
            throw ScaffoldError(.nameTaken, "'\(text)' is reserved; choose the name of the system the module connects to")
        }
        module = text
        typePrefix = text.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The library target and product (`ZendeskConnector`).
    public var target: String { typePrefix + "Connector" }
    /// The executable of an external module (`zendesk-module`).
    public var executable: String { module + "-module" }
    /// The test target (`ZendeskConnectorTests`).
    public var testTarget: String { target + "Tests" }
    /// The `ConnectorModule` type (`ZendeskModule`).
    public var moduleType: String { typePrefix + "Module" }
    /// An environment variable name for the module's secret (`ZENDESK_API_TOKEN`).
    public var tokenVariable: String { module.uppercased().replacingOccurrences(of: "-", with: "_") + "_API_TOKEN" }
}
