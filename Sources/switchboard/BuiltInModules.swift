import LiveAssistConnector
import SalesforceConnector
import SwitchboardHost

/// The connector modules compiled into this `switchboard` executable.
enum BuiltInModules {
    static var registry: ModuleRegistry { ModuleRegistry([SalesforceModule(), LiveAssistModule()]) }
}
