import ConnectorKit
import Foundation

/// The JWT bearer assertion's `aud`: not where it is posted. Salesforce accepts
/// `https://login.salesforce.com` for a production org and `https://test.salesforce.com` for a
/// sandbox org (or an Experience Cloud site's URL for its users), whichever host the assertion is
/// posted to — a My Domain login URL is *not* an audience (reference: salesforce-rest-api.md §1.1–1.2,
/// sfdx-core's login/audience pairs). One rule for the connector and `jwt mint --flow bearer`.
public enum SalesforceAudience {
    /// Production orgs.
    public static let production = "https://login.salesforce.com"
    /// Sandbox orgs.
    public static let sandbox = "https://test.salesforce.com"

    /// The kind of org, by `org.type`, else by the login URL: `test.salesforce.com`, an enhanced My
    /// Domain sandbox host (`acme--uat.sandbox.my.salesforce.com`) or a legacy one (`acme--uat.my.salesforce.com`)
    /// is a sandbox; anything else (the built-in sandbox org included, which acts as production) is production.
    public static func isSandboxOrg(type: String?, loginURL: String) -> Bool {
        if let type { return type == "sandbox" }
        guard let host = URL(string: loginURL)?.host?.lowercased() else { return false }
        return host == "test.salesforce.com" || host.hasSuffix(".sandbox.my.salesforce.com")
            || (host.hasSuffix(".my.salesforce.com") && host.split(separator: ".").first?.contains("--") == true)
    }

    /// `org.audience` when set (an Experience Cloud site URL, or a case the rule does not cover), else
    /// the audience of the org's type.
    public static func resolve(configured: String?, type: String?, loginURL: String) -> String {
        if let configured, !configured.isEmpty { return configured }
        return isSandboxOrg(type: type, loginURL: loginURL) ? sandbox : production
    }

    /// The audience for a connector's settings (`org.audience`, `org.type`, `org.login_url`).
    static func resolve(_ settings: SettingsObject) -> String {
        let loginURL: String = if case .url(let url)? = settings.value(at: "org.login_url") { url.absoluteString } else { "" }
        return resolve(configured: settings.value(at: "org.audience")?.stringValue, type: settings.value(at: "org.type")?.stringValue, loginURL: loginURL)
    }
}
