import ConnectorKit
import Foundation

/// The host's own part of `switchboard doctor` for one connector — what needs no knowledge of its
/// module: every secret reference of its settings resolves (values never shown), and every key its
/// token flows sign with passes the key rules. The module's part is ``Connector/diagnose()``.
public enum ConnectorDoctor {
    /// The secret references of a connector's settings, with where they are (`auth.private_key`).
    public static func secretReferences(_ settings: SettingsObject, prefix: String = "") -> [(path: String, reference: SecretReference)] {
        var found: [(String, SecretReference)] = []
        func walk(_ value: SettingValue, _ path: String) {
            switch value {
            case .secret(let reference): found.append((path, reference))
            case .object(let object): for key in object.keys { if let nested = object[key] { walk(nested, path.isEmpty ? key : "\(path).\(key)") } }
            case .list(let items): for (index, item) in items.enumerated() { walk(item, "\(path)[\(index)]") }
            default: break
            }
        }
        walk(.object(settings), prefix)
        return found
    }

    /// Every secret reference resolves.
    public static func secrets(of connector: ConnectorConfiguration, vault: CredentialVault) -> [Diagnosis] {
        secretReferences(connector.settings).map { path, reference in
            let title = "\(path) (\(reference)) resolves"
            do {
                _ = try vault.resolve(reference)
                return .passed("secret.\(path)", title)
            } catch {
                let fix = switch reference.kind {
                case .env: "export \(reference.name) in the host's environment"
                case .file: "create the file, readable by the host's user"
                case .vault: "store it: switchboard vault set \(reference.name) (with SWITCHBOARD_MASTER_KEY set)"
                }
                return .failed("secret.\(path)", title, "\(error)", fix: fix)
            }
        }
    }

    /// Each key the connector's token flows sign with is a readable RSA key of at least 2048 bits.
    public static func keys(of connector: ConnectorConfiguration, registry: ModuleRegistry, vault: CredentialVault) -> [Diagnosis] {
        var seen: Set<SecretReference> = []
        var found: [Diagnosis] = []
        for flow in ConnectorTokenMinter.flows(for: connector, registry: registry) {
            let request = TokenFlow.Request(subject: "switchboard-doctor", givenName: "Doctor", familyName: "Check", now: Date()) { try vault.resolve($0).revealedString() }
            guard let plan = try? flow.plan(request), seen.insert(plan.key).inserted else { continue }
            let title = "the \(flow.name) signing key (\(plan.key)) is an RSA key of 2048 bits or more"
            do {
                let key = try RSAPublicKey(privateKeyPEM: try vault.resolve(plan.key))
                found.append(key.bits >= JWTError.minimumKeyBits ? .passed("key.\(flow.name)", title, "\(key.bits) bits")
                    : .failed("key.\(flow.name)", title, "\(key.bits) bits", fix: "make a new key: switchboard keys generate --bits 2048, and upload its certificate or JWK"))
            } catch {
                found.append(.failed("key.\(flow.name)", title, "\(error)", fix: "point the setting at a PEM RSA private key (switchboard keys generate makes one)"))
            }
        }
        return found
    }
}
