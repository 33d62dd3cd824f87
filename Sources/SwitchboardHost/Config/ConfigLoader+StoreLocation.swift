import Foundation
import Yams

extension ConfigLoader {
    /// Where a configuration file's store is, read leniently — only `host.store`, `${VAR}` expanded —
    /// so that a file that no longer validates still names the store of the host started from it
    /// (`switchboard reload` finds the host through it). Nil when the file cannot be read or parsed
    /// that far; the default store when it names none.
    public func storeLocation(path: String) -> HostConfiguration.StoreLocation? {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8),
              case .success(let document) = YAMLDocument.parse(text, file: path) else { return nil }
        guard case .mapping(let root)? = document.root, case .mapping(let host)? = root["host"],
              case .scalar(let scalar)? = host["store"] else { return .sqlite(path: HostSchema.defaultStore) }
        guard case .success(let store) = Interpolation.expand(scalar.string, environment: environment) else { return nil }
        if store.hasPrefix("sqlite:") { return .sqlite(path: String(store.dropFirst("sqlite:".count))) }
        if store.hasPrefix("postgres://") || store.hasPrefix("postgresql://") { return .postgres(url: store) }
        return nil
    }
}
