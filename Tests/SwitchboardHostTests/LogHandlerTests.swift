import ConnectorKit
import Foundation
import Logging
import Testing
@testable import SwitchboardHost

@Suite("Log handler formats")
struct LogHandlerTests {
    @Test func jsonLinesAreOrderedEscapedAndRedacted() throws {
        let lines = CapturedLines()
        let redactor = SecretRedactor()
        redactor.register(text: "s3cr3t-token-value")
        var logger = RuntimeHarness.logger(lines, format: .json, redactor: redactor)
        logger[metadataKey: "connector"] = "acme"
        logger.info("said \"hi\"\nthen s3cr3t-token-value", metadata: ["token": "anything", "zeta": "z", "alpha": "a"])
        let line = try #require(lines.all.first)
        let object = try JSONParser.parse(line)
        guard case .object(let members) = object else { Issue.record("not an object"); return }
        #expect(members.map(\.name) == ["ts", "level", "label", "msg", "alpha", "connector", "token", "zeta"])
        #expect(object["msg"] == .string("said \"hi\"\nthen <redacted>"))
        #expect(object["token"] == .string("<redacted>"), "sensitive keys are redacted whatever they hold")
        #expect(object["level"] == .string("info"))
        #expect(!line.contains("s3cr3t"))
    }

    @Test func textLinesQuoteValuesWithSpaces() throws {
        let lines = CapturedLines()
        let logger = RuntimeHarness.logger(lines, format: .text, redactor: SecretRedactor())
        logger.notice("started", metadata: ["config": "my file.yaml", "n": "3"])
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix(#"notice switchboard: started config="my file.yaml" n=3"#))
    }
}
