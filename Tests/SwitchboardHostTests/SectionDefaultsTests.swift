import ConnectorKit
import SwitchboardHost
import Testing

/// A module reads every default from its schema: a section left out reads as its defaults (nested
/// sections too), so module code never restates one; a section with a required setting stays absent.
@Suite("Settings defaults come from the schema")
struct SectionDefaultsTests {
    struct SectionsModule: ConnectorModule {
        let name = "sections"
        let summary = "Sections with defaults."
        let features: [Feature] = [.knowledge, .ticketing]
        var settings: SettingsSchema {
            SettingsSchema([
                SettingField("knowledge", .object(SettingsSchema([
                    SettingField("schedule", .duration, default: .duration(.seconds(3600)), summary: "How often."),
                    SettingField("where", .string, summary: "Optional, no default."),
                    SettingField("routing", .object(SettingsSchema([
                        SettingField("topic", .string, default: .string("Topic__c"), summary: "Nested default."),
                    ])), summary: "A nested section."),
                ])), feature: .knowledge, summary: "Knowledge."),
                SettingField("ticketing", .object(SettingsSchema([
                    SettingField("queue", .string, required: true, summary: "Required."),
                    SettingField("origin", .string, default: .string("Chat"), summary: "Defaulted."),
                ])), feature: .ticketing, summary: "Ticketing."),
            ])
        }
        func makeConnector(configuration: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector {
            throw ConnectorError.notImplemented("make", module: name)
        }
    }

    @Test func aLeftOutSectionReadsAsItsDefaults() throws {
        let connectors = try ConnectorDeclarations.read("c:\n  module: sections\n  features: [knowledge]\n", modules: [SectionsModule()])
        let settings = connectors[0].settings
        #expect(try settings.requiredDuration("knowledge.schedule") == .seconds(3600))
        #expect(try settings.requiredText("knowledge.routing.topic") == "Topic__c")
        #expect(settings.value(at: "knowledge.where") == nil)
        #expect(settings["ticketing"] == nil, "a section with a required setting is absent until written")
        #expect(SectionsModule().settings.defaults == settings, "the schema's defaults are exactly what an empty connector reads")
    }
}
