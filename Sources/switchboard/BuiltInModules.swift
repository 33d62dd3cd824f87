import SwitchboardHost

/// The connector modules compiled into this `switchboard` executable. The Salesforce and Dynamics
/// modules join here as they are built; until then the host runs with none and says so.
enum BuiltInModules {
    static var registry: ModuleRegistry { ModuleRegistry([]) }
}
