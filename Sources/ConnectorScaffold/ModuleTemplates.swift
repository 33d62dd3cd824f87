/// The sources of a new module: the module, its settings, its connection and one file per feature.
/// Every generated operation throws `ConnectorError.notImplemented` until it is written: nothing
/// succeeds silently.
struct ModuleTemplates {
    let name: ConnectorName
    let features: [ScaffoldFeature]

    var syncFeatures: [ScaffoldFeature] { features.filter { $0 == .userIngestion || $0 == .knowledge } }

    func files() -> [(path: String, text: String)] {
        let folder = "Sources/\(name.target)/"
        var files = [
            (folder + "\(name.moduleType).swift", module),
            (folder + "\(name.typePrefix)Settings.swift", settings),
            (folder + "\(name.typePrefix)Connection.swift", connection),
        ]
        for feature in features { files.append((folder + "\(name.typePrefix)\(feature.typeSuffix).swift", FeatureTemplates(name: name).source(for: feature))) }
        return files
    }

    var module: String {
        """
        import ConnectorKit

        /// The `\(name.module)` connector module, scaffolded by `new-connector`. Say in `summary` what it
        /// connects to, then fill in each feature file's `TODO`s (docs/connector-authoring.md).
        public struct \(name.moduleType): ConnectorModule {
            public let name = "\(name.module)"
            public let summary = "\(name.typePrefix) (scaffolded: its features are not implemented yet)."
            public let features: [Feature] = [\(features.map(\.member).joined(separator: ", "))]
            public var settings: SettingsSchema { \(name.typePrefix)Settings.schema }

            /// Creates the module.
            public init() {}

            public func makeConnector(configuration: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector {
                \(name.typePrefix)Connection(settings: try \(name.typePrefix)Settings(configuration.settings), features: configuration.features, context: context)
            }
        }

        """
    }

    var settings: String {
        var fields = [
            #"        SettingField("base_url", .url(), required: true, summary: "The \#(name.typePrefix) API's base URL, like https://\#(name.module).example.com."),"#,
            #"        SettingField("api_token", .secret, required: true, summary: "The API token: env:NAME, file:PATH or vault:NAME, never the value itself."),"#,
            #"        SettingField("timeout", .duration, default: .duration(.seconds(30)), summary: "How long one request to \#(name.typePrefix) may take."),"#,
        ]
        var properties = [
            "    /// The API's base URL, without a trailing slash.\n    let baseURL: String",
            "    /// The API token's reference: resolve it with `context.vault` at the moment of use, never keep the value.\n    let apiToken: SecretReference",
            "    /// How long one request may take.\n    let timeout: Duration",
        ]
        var decoding = [
            #"        baseURL = try settings.requiredURL("base_url")"#,
            #"        apiToken = try settings.requiredSecret("api_token")"#,
            #"        timeout = try settings.requiredDuration("timeout")"#,
        ]
        for feature in syncFeatures {
            let (what, seconds, property) = feature == .userIngestion ? ("users", 900, "usersSchedule") : ("articles", 3600, "articlesSchedule")
            fields.append("""
                        SettingField("\(feature.rawValue)", .object(SettingsSchema([
                            SettingField("schedule", .duration, default: .duration(.seconds(\(seconds))), summary: "How often to sync changed \(what)."),
                        ])), feature: \(feature.member), summary: "The \(feature.rawValue) feature's settings."),
                """)
            properties.append("    /// How often to sync \(what).\n    let \(property): Duration")
            decoding.append(#"        \#(property) = try settings.requiredDuration("\#(feature.rawValue).schedule")"#)
        }
        return """
            import ConnectorKit

            /// The `\(name.module)` module's settings: the schema `switchboard validate` checks — every default
            /// is stated there, once — and the typed values decoded once from the validated settings.
            struct \(name.typePrefix)Settings: Sendable {
                static let schema = SettingsSchema([
            \(fields.joined(separator: "\n"))
                ])

            \(properties.joined(separator: "\n"))

                /// Decodes validated settings (the schema's defaults are already applied).
                init(_ settings: SettingsObject) throws {
            \(decoding.joined(separator: "\n"))
                }
            }

            """
    }

    var connection: String {
        let t = name.typePrefix
        var properties: [String] = []
        for feature in features {
            let property = Self.property(feature)
            properties.append("    var \(property): (any \(Self.protocolName(feature)))? { features.contains(\(feature.member)) ? \(t)\(feature.typeSuffix)(connection: self) : nil }")
        }
        var schedules: [String] = []
        for feature in syncFeatures {
            let (noun, call, schedule, check) = feature == .userIngestion
                ? ("users", "syncUsers", "usersSchedule", "users") : ("articles", "syncArticles", "articlesSchedule", "articles")
            schedules.append("""
                            if features.contains(\(feature.member)) {
                                let work = ScheduledWork(name: "\(name.module) \(feature.rawValue) sync", check: "\(check)", interval: settings.\(schedule), context: context, health: health)
                                let sync = \(t)\(feature.typeSuffix)(connection: self)
                                group.addTask {
                                    await work.run {
                                        let report = try await sync.\(call)(mode: .incremental) { _ in }
                                        return "\\(report.upserted) \(noun) written, \\(report.deleted) removed"
                                    }
                                }
                            }
                """)
        }
        return """
            import ConnectorKit
            import ServiceLifecycle

            /// One running `\(name.module)` connector: its scheduled work, its health and its features. It uses
            /// only the host's services from `context` (vault, HTTP transport, store, events, logger).
            struct \(t)Connection: Connector {
                let settings: \(t)Settings
                let features: [Feature]
                let context: ConnectorContext
                let health = HealthChecks()

            \(properties.joined(separator: "\n"))

                /// Runs until graceful shutdown: the scheduled syncs of the enabled features, each retried on its own.
                func run() async throws {
                    await withDiscardingTaskGroup { group in
            \(schedules.joined(separator: "\n"))
                        group.addTask { try? await gracefulShutdown() }
                    }
                }

                /// Whether \(t) answers with these credentials, plus how each scheduled feature fares.
                func check() async -> HealthReport {
                    // TODO: ask \(t) whether the API token works (one cheap authenticated request through
                    // context.http), and report `healthy` with what it answered.
                    HealthReport(checks: [
                        HealthReport.Check(name: "api", status: .degraded, detail: "\(name.module): check is not implemented yet")
                    ] + health.all)
                }
            }

            """
    }

    static func property(_ feature: ScaffoldFeature) -> String {
        switch feature {
        case .ticketing: "ticketing"
        case .userIngestion: "userIngestion"
        case .knowledge: "knowledge"
        case .liveAgent: "liveAgent"
        }
    }

    static func protocolName(_ feature: ScaffoldFeature) -> String {
        switch feature {
        case .ticketing: "Ticketing"
        case .userIngestion: "UserIngestion"
        case .knowledge: "KnowledgeLoad"
        case .liveAgent: "LiveAgent"
        }
    }
}
