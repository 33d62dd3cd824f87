import Foundation
import Testing

/// `switchboard doctor` on the shipped connectors.yaml: green against the sandbox; with a custom field
/// the org lacks and a routing attribute the deployment lacks, each named ✗ with its fix, exit 1.
@Suite("switchboard doctor, as a process")
struct DoctorProcessTests {
    @Test(.timeLimit(.minutes(2))) func greenOnTheShippedConfigAndEachGapNamed() async throws {
        let directory = NSTemporaryDirectory() + "switchboard-doctor-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let shipped = try String(contentsOf: ShippedConfigProcessTests.shipped, encoding: .utf8)
        try shipped.write(toFile: directory + "/connectors.yaml", atomically: true, encoding: .utf8)

        let green = try await SwitchboardProcess.run(["doctor"], in: directory)
        #expect(green.status == 0 && green.stdout.contains("all checks passed") && !green.stdout.contains("✗"), "\(green.output)")
        #expect(green.stdout.contains("✓ the integration user can create Case (ticketing)")
                && green.stdout.contains("✓ Enhanced Messaging gives a verified user a token")
                && green.stdout.contains("✓ the application user can read contacts"), "\(green.output)")

        let json = try await SwitchboardProcess.run(["doctor", "acme-dynamics", "--json"], in: directory)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.output)")
        let connectors = try #require(parsed["connectors"] as? [[String: Any]])
        #expect(parsed["ok"] as? Bool == true && connectors.count == 1 && connectors[0]["name"] as? String == "acme-dynamics")
        #expect((connectors[0]["checks"] as? [[String: Any]])?.allSatisfy { $0["outcome"] as? String == "passed" } == true)

        // The org lacks Body__c (no longer among the sandbox's custom fields), the deployment lacks the topic attribute.
        let broken = shipped.replacingOccurrences(of: "          Knowledge__kav: [Body__c]           #   knowledge.body_fields\n", with: "")
            .replacingOccurrences(of: "topic: Issue_Topic__c", with: "topic: Issue_Category__c")
        #expect(broken != shipped)
        try broken.write(toFile: directory + "/broken.yaml", atomically: true, encoding: .utf8)
        let red = try await SwitchboardProcess.run(["doctor", "acme-salesforce", "--config", "broken.yaml"], in: directory)
        #expect(red.status == 1 && red.stdout.contains("failing: acme-salesforce"), "\(red.output)")
        #expect(red.stdout.contains("✗ the fields knowledge uses exist on Knowledge__kav — Knowledge__kav has no field Body__c"), "\(red.output)")
        #expect(red.stdout.contains("✗ the routing attributes are pre-chat fields of the deployment — Issue_Category__c is not among"), "\(red.output)")
        #expect(red.stdout.components(separatedBy: "\n  ✗").count - 1 == 2, "only those two: \(red.output)")
        #expect(red.stdout.contains("fix: create it (Setup → Object Manager → Knowledge__kav"))
    }
}
