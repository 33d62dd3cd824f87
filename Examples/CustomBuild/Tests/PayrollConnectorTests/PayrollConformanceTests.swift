import ConnectorKitTesting
import Foundation
import PayrollConnector
import Testing

@Suite("payroll module conformance")
struct PayrollConformanceTests {
    @Test func passesTheConformanceKit() async throws {
        let folder = NSTemporaryDirectory() + "payroll-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "id,email,first,last\ne1,ada@acme.example,Ada,Lovelace\ne2,alan@acme.example,Alan,Turing\n"
            .write(toFile: folder + "/export.csv", atomically: true, encoding: .utf8)
        var options = ConnectorConformance.Options()
        options.baseDirectory = folder
        try await ConnectorConformance.check(PayrollModule(), config: """
            payroll:
              module: payroll
              features: [user-ingestion]
              export: export.csv
            """, options: options)
    }
}
