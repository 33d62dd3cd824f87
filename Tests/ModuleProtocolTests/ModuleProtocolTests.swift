import ConnectorKit
import Foundation
@testable import ModuleProtocol
import Testing

/// The protocol's building blocks: messages, framing, schemas both ways, dates against Foundation.
@Suite("Module protocol")
struct ModuleProtocolTests {
    @Test func messagesRoundTripAndBadOnesAreNamed() throws {
        let messages: [RPCMessage] = [
            .request(id: .integer(7), method: "sync.run", params: .object([("feature", .string("knowledge"))])),
            .notification(method: "$/cancelRequest", params: .object([("id", .integer(7))])),
            .response(id: .string("m1"), result: .object([("cursor", .null)])),
            .failure(id: .integer(7), error: RPCError(ConnectorError.notFound("no ticket T1"))),
        ]
        for message in messages { #expect(try RPCMessage.parse(message.line) == message) }
        #expect(throws: RPCError.self) { try RPCMessage.parse(Array("not json".utf8)) }
        do { _ = try RPCMessage.parse(Array(#"{"id":1,"method":"x"}"#.utf8)) } catch { #expect(error.code == -32600) }
        let failure = try RPCMessage.parse(RPCMessage.failure(id: .integer(1), error: RPCError(ConnectorError.rateLimited("slow down", retryAfterSeconds: 30))).line)
        guard case .failure(_, let error) = failure else { Issue.record("expected a failure"); return }
        #expect(error.connectorError.code == .rateLimited && error.connectorError.retryAfterSeconds == 30)
    }

    @Test func theFramerSplitsLinesAndRefusesLongOnesWithoutBufferingThem() throws {
        var framer = LineFramer(limit: 16)
        #expect(try framer.feed(Array("ab\ncd".utf8)) == [Array("ab".utf8)])
        #expect(try framer.feed(Array("e\r\n".utf8)) == [Array("cde".utf8)])
        #expect(throws: LineFramer.Overflow.self) { try framer.feed([UInt8](repeating: 65, count: 17)) }
    }

    @Test func aSchemaSurvivesTheJSONSchemaRoundTrip() throws {
        let schema = SettingsSchema([
            SettingField("base_url", .url(), required: true, summary: "Where."),
            SettingField("token", .secret, required: true, summary: "A secret."),
            SettingField("every", .duration, default: .duration(.seconds(900)), summary: "How often."),
            SettingField("mode", .oneOf(["a", "b"]), default: .string("a"), summary: "Which."),
            SettingField("limit", .integer(min: 1, max: 10), default: .integer(5), summary: "How many."),
            SettingField("export", .path(mustExist: true), summary: "A file."),
            SettingField("tags", .list(.string), default: .list([.string("x")]), summary: "Tags."),
            SettingField("knowledge", .object(SettingsSchema([SettingField("schedule", .duration, default: .duration(.seconds(3600)), summary: "When.")])),
                         feature: .knowledge, summary: "A section."),
        ])
        #expect(try SettingsSchema(jsonSchema: schema.jsonSchema) == schema)
        var settings = SettingsObject()
        settings["base_url"] = .url(URL(string: "https://x.example")!)
        settings["token"] = .secret(SecretReference(.env, "TOKEN"))
        settings["every"] = .duration(.seconds(900))
        settings["tags"] = .list([.string("x")])
        #expect(try SettingsObject(json: settings.json, schema: schema) == settings, "what connector.start carries reads back the same")
        #expect(settings.json["token"] == .string("env:TOKEN"), "a secret travels as its reference")
    }

    /// What the Salesforce module's schema uses: URL keywords and schemes, sensitive strings, map and
    /// object defaults — a built-in module served out of process must validate the same file.
    @Test func keywordsSensitiveStringsAndMapDefaultsSurviveTheRoundTrip() throws {
        let schema = SettingsSchema([
            SettingField("login_url", .url(schemes: ["https"], keywords: ["sandbox"]), default: .keyword("sandbox"), summary: "Where."),
            SettingField("consumer_key", .sensitiveString, required: true, summary: "Sensitive text or a reference."),
            SettingField("custom_fields", .map(.list(.string)), default: .object(SettingsObject()), summary: "By object."),
            SettingField("limits", .object(SettingsSchema([SettingField("pages", .integer(), default: .integer(3), summary: "Pages.")])),
                         default: .object({ var o = SettingsObject(); o["pages"] = .integer(3); return o }()), summary: "Limits."),
        ])
        #expect(try SettingsSchema(jsonSchema: schema.jsonSchema) == schema)
        var settings = SettingsObject()
        settings["consumer_key"] = .sensitive(Secret("3MVG9-literal"))
        #expect(settings.json["consumer_key"] == .string("(sensitive)"), "shown nowhere")
        #expect(settings.startJSON["consumer_key"] == .string("3MVG9-literal"), "the module's own setting, handed to it")
        let read = try SettingsObject(json: settings.startJSON, schema: schema)
        #expect(try read["consumer_key"]?.sensitiveText { _ in "" } == "3MVG9-literal" && read["consumer_key"]?.description.contains("3MVG9") == false)
        settings["consumer_key"] = .secret(SecretReference(.env, "SF_KEY"))
        #expect(try SettingsObject(json: settings.startJSON, schema: schema)["consumer_key"] == .secret(SecretReference(.env, "SF_KEY")))
    }

    @Test func datesMatchFoundationsISO8601() throws {
        let foundation = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let whole = Date(timeIntervalSince1970: Double(Int64.random(in: -2_000_000_000...4_000_000_000, using: &generator)))
            #expect(ISO8601Text.format(whole) == foundation.string(from: whole))
            #expect(ISO8601Text.parse(foundation.string(from: whole)) == whole)
            let milliseconds = Date(timeIntervalSince1970: whole.timeIntervalSince1970 + Double(Int.random(in: 1...999)) / 1000)
            #expect(ISO8601Text.format(milliseconds) == fractional.string(from: milliseconds))
            #expect(abs(ISO8601Text.parse(fractional.string(from: milliseconds))!.timeIntervalSince(milliseconds)) < 0.000_5)
        }
        for bad in ["2026-13-01T00:00:00Z", "2026-11-25 10:00:00Z", "2026-11-25T10:00:00", "2026-11-25T10:00:00+01:00", "2026-11-25T10:00:00.Z"] {
            #expect(ISO8601Text.parse(bad) == nil, "\(bad)")
        }
    }
}
