import ConnectorKit
import Foundation
import Logging
import SwitchboardHost
import Testing

/// An unmodified `switchboard` runs the Python example module (Examples/modules/folder_module.py)
/// declared in connectors.yaml: validate and modules see it, the host syncs its people and documents,
/// and the assistant finds them through the API; SIGTERM leaves no module process behind.
@Suite("switchboard with an external Python module, as processes")
struct ExternalModuleProcessTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples/modules/folder_module.py").path

    @Test(.timeLimit(.minutes(2))) func thePythonModuleSyncsAndTheAPIFindsItsRecords() async throws {
        let directory = NSTemporaryDirectory() + "switchboard-external-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/hr", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/handbook/it", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "id,email,first_name,last_name,department\nE100,ada.lovelace@acme.example,Ada,Lovelace,Research\n"
            .write(toFile: directory + "/hr/staff.csv", atomically: true, encoding: .utf8)
        try #"[{"id":"E200","email":"grace.hopper@acme.example","first_name":"Grace","last_name":"Hopper","department":"Navy"}]"#
            .write(toFile: directory + "/hr/contractors.json", atomically: true, encoding: .utf8)
        try "# Printer troubleshooting\n\nIf the printer jams, open tray two and remove the paper.\n"
            .write(toFile: directory + "/handbook/it/printer.md", atomically: true, encoding: .utf8)
        // A copy of the module in this test's folder, so its process is told apart from other tests'.
        let module = directory + "/folder_module.py"
        try FileManager.default.copyItem(atPath: Self.example, toPath: module)
        let port = try HandoffProcessTests.freePort()
        try """
            version: 1
            host:
              listen: 127.0.0.1:\(port)
              store: sqlite:state.db
            modules:
              folder:
                command: python3
                args: [\(module)]
            connectors:
              hr:
                module: folder
                features: [user-ingestion, knowledge]
                people: hr
                documents: handbook
            """.write(toFile: directory + "/connectors.yaml", atomically: true, encoding: .utf8)

        let validate = try await SwitchboardProcess.run(["validate"], in: directory)
        #expect(validate.status == 0 && validate.stdout.contains("hr (folder: user-ingestion, knowledge)"), "\(validate.output)")
        let modules = try await SwitchboardProcess.run(["modules"], in: directory)
        #expect(modules.stdout.contains("folder — People from an HR export folder") && modules.stdout.contains("[external: python3"))

        // The conformance kit runs against the Python module, from the command line.
        let kit = try await SwitchboardProcess.run(["modules", "test", "hr"], in: directory)
        #expect(kit.status == 0 && kit.stdout.contains("conformance of module 'folder' (connector 'hr'): passed")
                && kit.stdout.contains("pass  checkpoint-after-write (knowledge)"), "\(kit.output)")

        // doctor treats it like a built-in module: its check results (it has no doctor method of its own).
        let doctor = try await SwitchboardProcess.run(["doctor", "hr"], in: directory)
        #expect(doctor.status == 0 && doctor.stdout.contains("hr (folder: user-ingestion, knowledge)")
                && doctor.stdout.contains("✓ people (readable)") && doctor.stdout.contains("✓ documents (readable)"), "\(doctor.output)")

        // A setting the module's schema does not know is reported at its line, like a built-in module's.
        try (try String(contentsOfFile: directory + "/connectors.yaml", encoding: .utf8) + "\n    peeple: hr\n")
            .write(toFile: directory + "/typo.yaml", atomically: true, encoding: .utf8)
        let typo = try await SwitchboardProcess.run(["validate", "--config", "typo.yaml"], in: directory)
        #expect(typo.status != 0 && typo.stderr.contains("typo.yaml:15:5: connectors.hr.peeple"), "\(typo.output)")

        let host = try SwitchboardProcess.Running(["run"], directory: directory, environment: [:])
        try await host.waitForStderr("documents: 1 written")
        try await host.waitForStderr("people: 2 written")
        let http = HTTPTransport(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        defer { Task { try? await http.shutdown() } }
        let base = "http://127.0.0.1:\(port)"
        let users = String(decoding: try await http.send(.init(url: base + "/v1/users?email=grace.hopper@acme.example")).body, as: UTF8.self)
        #expect(users.contains(#""id":"E200""#) && users.contains(#""department":"Navy""#), "\(users)")
        let search = String(decoding: try await http.send(.init(url: base + "/v1/knowledge/search?q=printer&lang=en_US")).body, as: UTF8.self)
        #expect(search.contains(#""title":"Printer troubleshooting""#), "\(search)")
        let ready = String(decoding: try await http.send(.init(url: base + "/readyz")).body, as: UTF8.self)
        #expect(ready.contains(#""module":"folder""#) && ready.contains(#""ready":true"#), "\(ready)")

        host.signal(SIGTERM)
        #expect(try await host.wait().status == 0)

        // --features selects an external module's features like a built-in one's: knowledge only now,
        // so a new person in the export is not synced, while a new document is.
        try "id,email\nE300,new.hire@acme.example\n".write(toFile: directory + "/hr/new.csv", atomically: true, encoding: .utf8)
        try "# Badge\n\nBadges are renewed at the front desk.\n".write(toFile: directory + "/handbook/badge.md", atomically: true, encoding: .utf8)
        let selective = try SwitchboardProcess.Running(["run", "--features", "knowledge"], directory: directory, environment: [:])
        try await selective.waitForStderr("documents: 1 written")
        let newcomer = String(decoding: try await http.send(.init(url: base + "/v1/users?email=new.hire@acme.example")).body, as: UTF8.self)
        #expect(!newcomer.contains("E300"), "user-ingestion is not running: \(newcomer)")
        selective.signal(SIGTERM)
        #expect(try await selective.wait().status == 0)
        #expect(!selective.stderrText.contains("people:"), "the module was never asked for people")
        let leftover = try await SwitchboardProcess.runTool("/usr/bin/pgrep", ["-f", module])
        #expect(leftover.isEmpty, "no module process is left: \(leftover)")
    }
}

extension SwitchboardProcess {
    /// Runs another program and returns its standard output.
    static func runTool(_ path: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
