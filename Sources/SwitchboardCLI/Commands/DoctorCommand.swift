import ArgumentParser
import ConnectorKit
import Foundation
import Logging
import SwitchboardHost

/// `switchboard doctor [CONNECTOR]`: what an admin runs before calling support — per connector,
/// each check ✓ or ✗ with the reason and the fix.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check every connector against its external system: secrets, keys, tokens, permissions, fields, deployments.",
        discussion: """
            For each connector (or the one named): its secret references resolve; its signing keys are RSA ≥ 2048; and its module's own checks against the system it talks to — for Salesforce the JWT bearer token exchange, the integration user's access to Contact, Case, CaseComment and Knowledge__kav (describe calls naming the missing permission), every configured field, the Enhanced Messaging deployment (a token for a test subject, its pre-chat fields for the routing attributes) and the signing key's publication; for Dynamics 365 the Entra ID token and reading contacts. Every ✗ says what to do. Connectors on the built-in sandbox are checked against it.

            Exit status 1 when any check fails. --json prints {"ok", "connectors":[{"name","module","checks":[{"id","title","outcome","detail","fix"}]}]}.

            Examples:
              switchboard doctor
              switchboard doctor acme-salesforce --json
            """)

    @OptionGroup var configOption: ConfigOption

    @Argument(help: "Check only this connector.")
    var connector: String?

    @Flag(help: "Print the checks as JSON.")
    var json = false

    struct ConnectorReport: Encodable {
        var name: String
        var module: String
        var checks: [Diagnosis]
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in SwiftLogNoOpLogHandler(label) }
        let logger = Logger(label: "switchboard.doctor")
        let (configuration, registry): (HostConfiguration, ModuleRegistry)
        do {
            (configuration, registry) = try await ConfigurationLoading.load(configOption.config, checksSecrets: false)
        } catch {
            if json {
                print(try Self.encode(ok: false, [ConnectorReport(name: configOption.config, module: "configuration", checks: [
                    .failed("config", "the configuration is valid", error.description, fix: "run switchboard validate and fix each line it names"),
                ])]))
            } else {
                print("\(configOption.config)\n  ✗ the configuration is valid\n" + error.description.split(separator: "\n").map { "      \($0)" }.joined(separator: "\n"))
            }
            throw ExitCode.failure
        }
        let selected = configuration.connectors.filter { connector == nil || $0.name == connector }
        if let connector, selected.isEmpty {
            Terminal.error("no connector named \(connector) in \(configOption.config) (connectors: \(configuration.connectors.map(\.name).joined(separator: ", ")))")
            throw ExitCode.failure
        }
        let reports: [ConnectorReport]
        do {
            reports = try await SandboxProvisioner.withSandbox(for: configuration, registry: registry, logger: logger, hostServesJWKS: false) { running in
                var reports: [ConnectorReport] = []
                let runtime = try HostRuntime(configuration: running, registry: registry, logger: logger)
                for declared in selected {
                    guard let instance = running.connectors.first(where: { $0.name == declared.name }) else { continue }
                    var checks = ConnectorDoctor.secrets(of: instance, vault: runtime.vault)
                    checks += ConnectorDoctor.keys(of: instance, registry: registry, vault: runtime.vault)
                    do {
                        checks += try await runtime.withConnector(named: instance.name) { connector in await connector.diagnose() }
                    } catch {
                        checks.append(.failed("connector", "the connector starts with these settings", "\(error)", fix: "run switchboard validate"))
                    }
                    reports.append(ConnectorReport(name: instance.name, module: instance.module, checks: checks))
                }
                return reports
            }
        } catch {
            Terminal.error("switchboard doctor: \(error)")
            throw ExitCode.failure
        }
        let ok = reports.allSatisfy { $0.checks.allSatisfy { $0.outcome != .failed } }
        if json {
            print(try Self.encode(ok: ok, reports))
        } else {
            print("\(configOption.config)\n  ✓ the configuration is valid (\(configuration.connectors.count) connector\(configuration.connectors.count == 1 ? "" : "s"))")
            for report in reports {
                let declared = configuration.connectors.first { $0.name == report.name }
                print("\(report.name) (\(report.module): \(declared?.features.map(\.rawValue).joined(separator: ", ") ?? ""))")
                for check in report.checks { print("  " + check.line) }
            }
            let failing = reports.filter { $0.checks.contains { $0.outcome == .failed } }.map(\.name)
            print(failing.isEmpty ? "all checks passed" : "failing: \(failing.joined(separator: ", "))")
        }
        if !ok { throw ExitCode.failure }
    }

    static func encode(ok: Bool, _ reports: [ConnectorReport]) throws -> String {
        struct Output: Encodable { var ok: Bool; var connectors: [ConnectorReport] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Output(ok: ok, connectors: reports)), as: UTF8.self)
    }
}
