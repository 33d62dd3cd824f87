import ConnectorKit
import SwitchboardHost

/// Opens the store `host.store` names, relative to the configuration file's folder.
enum StoreLocation {
    static func path(_ configuration: HostConfiguration) -> String {
        switch configuration.store {
        case .sqlite(let path): CredentialVault.resolve(path, against: configuration.baseDirectory)
        }
    }

    static func open(_ configuration: HostConfiguration) throws -> SQLiteStore {
        try SQLiteStore(path: path(configuration))
    }
}
