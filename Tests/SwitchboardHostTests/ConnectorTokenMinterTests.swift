import ConnectorKit
import Foundation
import Testing
@testable import SwitchboardHost

/// A module with the settings shape DESIGN §4 gives the salesforce module (auth, org, live-agent).
struct SalesforceShapedModule: ConnectorModule {
    let name = "sf-shaped"
    let summary = "Test module with the salesforce settings shape."
    let features: [Feature] = Feature.builtIn
    var settings: SettingsSchema {
        SettingsSchema([
            SettingField("org", .object(SettingsSchema([SettingField("login_url", .url(keywords: ["sandbox"]), required: true, summary: ""), SettingField("audience", .string, summary: "")])), summary: ""),
            SettingField("auth", .object(SettingsSchema([
                SettingField("consumer_key", .secret, required: true, summary: ""),
                SettingField("username", .string, required: true, summary: ""),
                SettingField("private_key", .secret, required: true, summary: ""),
            ])), summary: ""),
            SettingField("live-agent", .object(SettingsSchema([
                SettingField("key_id", .string, required: true, summary: ""),
                SettingField("issuer", .string, required: true, summary: ""),
                SettingField("private_key", .secret, required: true, summary: ""),
            ])), feature: .liveAgent, summary: ""),
        ])
    }
    func makeConnector(configuration: ConnectorConfiguration, context: ConnectorContext) throws -> any Connector {
        throw ConnectorError.misconfigured("test only")
    }
}

@Suite("jwt mint --connector: the three flows from connector settings")
struct ConnectorTokenMinterTests {
    let now = Date(timeIntervalSince1970: 1_767_225_600)

    func connector(loginURL: String = "https://login.salesforce.com", audience: String? = nil) throws -> ConnectorConfiguration {
        let text = """
            version: 1
            connectors:
              acme:
                module: sf-shaped
                features: [ticketing, live-agent]
                org: { login_url: \(loginURL)\(audience.map { ", audience: \($0)" } ?? "") }
                auth: { consumer_key: env:SF_KEY, username: integration@acme.example, private_key: vault:sf-jwt-key }
                live-agent: { key_id: switchboard-1, issuer: https://acme.example, private_key: vault:miaw-key }
            """
        return try ConfigLoader(registry: ModuleRegistry([SalesforceShapedModule()]), environment: ["SF_KEY": "3MVG9consumer"], checksSecrets: false)
            .load(text: text, file: "connectors.yaml", baseDirectory: "/").connectors[0]
    }

    func resolve(_ reference: SecretReference) throws -> String {
        guard reference == SecretReference(.env, "SF_KEY") else { throw KeyToolError("unexpected \(reference)") }
        return "3MVG9consumer"
    }

    @Test func bearer() throws {
        let plan = try ConnectorTokenMinter.plan(.bearer, connector: connector(), subject: nil, now: now, resolve: resolve)
        #expect(plan.claims.json.description == #"{"iss":"3MVG9consumer","sub":"integration@acme.example","aud":"https://login.salesforce.com","exp":1767225780}"#)
        #expect(plan.key == SecretReference(.vault, "sf-jwt-key"))
        #expect(plan.keyID == nil)
        let sandbox = #expect(throws: KeyToolError.self) {
            try ConnectorTokenMinter.plan(.bearer, connector: connector(loginURL: "sandbox"), subject: nil, now: now, resolve: resolve)
        }
        #expect(sandbox?.description.contains("pass --aud") == true)
        // org.audience decides aud, as it does for the connector (a My Domain login URL, the standard audience).
        let myDomain = try ConnectorTokenMinter.plan(.bearer, connector: connector(loginURL: "https://acme.my.salesforce.com",
                                                                                   audience: "https://login.salesforce.com"),
                                                     subject: nil, now: now, resolve: resolve)
        #expect(myDomain.claims.json["aud"] == .string("https://login.salesforce.com"))
    }

    @Test func liveAgent() throws {
        let plan = try ConnectorTokenMinter.plan(.liveAgent, connector: connector(), subject: "user-42", now: now, resolve: resolve)
        #expect(plan.claims.json.description == #"{"sub":"user-42","iss":"https://acme.example","iat":1767225600,"exp":1767225900}"#)
        #expect(plan.key == SecretReference(.vault, "miaw-key"))
        #expect(plan.keyID == "switchboard-1")
        #expect(throws: KeyToolError.self) { try ConnectorTokenMinter.plan(.liveAgent, connector: connector(), subject: nil, now: now, resolve: resolve) }
    }

    @Test func liveAssist() throws {
        let plan = try ConnectorTokenMinter.plan(.liveAssist, connector: connector(), subject: "7D51925C-CDE2-E411-80DB-00155D2A68CB",
                                                 givenName: "Dana", familyName: "Rivera", now: now, resolve: resolve)
        #expect(plan.claims.json.description
            == #"{"sub":"7d51925c-cde2-e411-80db-00155d2a68cb","given_name":"Dana","family_name":"Rivera","iss":"https://acme.example","iat":1767225600,"exp":1767226500}"#)
        #expect(throws: KeyToolError.self) {
            try ConnectorTokenMinter.plan(.liveAssist, connector: connector(), subject: "x", now: now, resolve: resolve)
        }
    }
}
