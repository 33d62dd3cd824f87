import ConnectorKit
import ServiceLifecycle

/// A module with a Salesforce-like schema (nested sections, secrets, URLs with a keyword, durations,
/// lists, maps, feature sections) for configuration tests. It provides three of the four features.
struct ExampleModule: ConnectorModule {
    let name = "example"
    let summary = "Schema-only test module."
    let features: [Feature] = [.ticketing, .userIngestion, .knowledge]

    var settings: SettingsSchema {
        SettingsSchema([
            SettingField("org", .object(SettingsSchema([
                SettingField("login_url", .url(keywords: ["sandbox"]), required: true, summary: "Login URL or sandbox."),
                SettingField("api_version", .string, default: .string("62.0"), summary: "REST API version."),
            ])), required: true, summary: "The org."),
            SettingField("auth", .object(SettingsSchema([
                SettingField("consumer_key", .secret, required: true, summary: "Connected app consumer key."),
                SettingField("username", .string, required: true, summary: "Integration user."),
                SettingField("private_key", .secret, required: true, summary: "JWT signing key."),
            ])), required: true, summary: "JWT bearer credentials."),
            SettingField("ticketing", .object(SettingsSchema([
                SettingField("case_origin", .string, default: .string("Chat"), summary: "Case origin."),
                SettingField("watch_interval", .duration, default: .duration(.seconds(60)), summary: "Poll interval."),
                SettingField("priority", .oneOf(["Low", "Medium", "High"]), summary: "Default priority."),
            ])), feature: .ticketing, summary: "Ticketing settings."),
            SettingField("knowledge", .object(SettingsSchema([
                SettingField("schedule", .duration, default: .duration(.seconds(3600)), summary: "Sync schedule."),
                SettingField("languages", .list(.string), default: .list([.string("en_US")]), summary: "Languages."),
                SettingField("page_size", .integer(min: 200, max: 2000), summary: "Batch size."),
                SettingField("fields", .map(.string), summary: "Field mapping."),
                SettingField("enabled", .boolean, summary: "On or off."),
                SettingField("export_file", .path(mustExist: true), summary: "A file to read, relative to the configuration."),
            ])), feature: .knowledge, summary: "Knowledge settings."),
        ])
    }

    /// Like the salesforce module: `org.login_url: sandbox` asks for the built-in sandbox (whose
    /// executable generates missing `file:` keys, so validate lets them be missing).
    func sandboxWiring(for configuration: ConnectorConfiguration) -> SandboxWiring? {
        guard configuration.settings.value(at: "org.login_url") == .keyword("sandbox") else { return nil }
        return SandboxWiring { _ in configuration.settings }
    }

    func makeConnector(configuration: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector {
        throw ConnectorError.misconfigured("schema-only module")
    }
}
