import ConnectorKit
import Foundation
import SalesforceConnector
import SwitchboardHost

/// Parsers of text an admin pastes or an org sends, which must answer anything with a result or an
/// error — never a crash.
enum TextTargets {
    /// An article body, HTML as Salesforce stores it, to the text the host indexes.
    static func html(_ input: [UInt8]) {
        _ = HTMLText.plainText(String(decoding: input, as: UTF8.self))
    }

    /// A token pasted into `switchboard keys inspect`, the first line of the input; the rest, when it
    /// is JSON, is the JWK or JWKS it is checked against. Every profile's checks run.
    static func jwt(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let token = String(parts.first ?? "")
        var key: InspectionKey?
        if parts.count == 2, let json = try? JSONParser.parse(String(parts[1])), case .object(let members) = json {
            key = json["keys"] != nil ? .jwks(JWKS(keys: (json["keys"]?.arrayValue ?? []).compactMap { $0.members.map(JWK.init(members:)) }))
                                      : .jwk(JWK(members: members))
        }
        for profile in [nil] + TokenProfile.allCases.map(Optional.some) {
            if let (decoded, checks) = try? TokenInspector.inspect(token, key: key, profile: profile, now: Date(timeIntervalSince1970: 1_790_000_000)) {
                _ = TokenInspector.describe(decoded)
                _ = checks.map(\.line)
            }
        }
    }

    /// A file given to `switchboard keys check` (JWK, JWKS, certificate, key), and the same bytes as
    /// a JWKS endpoint's answer.
    static func keys(_ input: [UInt8]) {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        _ = KeyChecker.check(file: "input", contents: Data(input), now: now).checks.map(\.rule)
        _ = KeyChecker.checkEndpoint(url: "https://keys.acme.example/jwks.json", status: 200, contentType: "application/json", body: input, now: now)
    }
}
