/// One rule of Salesforce's key troubleshooting checklist, with its result on one file.
public struct KeyCheck: Sendable, Hashable {
    /// The rules, by stable id.
    public enum Rule: String, Sendable, Hashable, CaseIterable {
        case readable
        case oneKeyPerFile = "one-key-per-file"
        case publicOnly = "public-only"
        case kty, kid, alg, use
        case x5c
        case x5cCertificate = "x5c-certificate"
        case base64url = "n-e-base64url"
        case keySize = "key-size"
        case validNow = "valid-now"
        case validTenDays = "valid-10-days"
        case keyMatchesCertificate = "n-e-match-certificate"
        case privateKeyMatches = "private-key-matches"
        case pemCertificate = "pem-certificate"
        case jwks
        case uniqueKid = "kid-unique"
        case endpointHTTPS = "endpoint-https"
        case endpointAnswers = "endpoint-answers"
        case configKid = "config-kid"
        case configKeyMatches = "config-key-matches"
        case configIssuer = "config-issuer"

        /// What the rule demands, as the report's line title.
        public var title: String {
            switch self {
            case .readable: "the file is a JWK (JSON), a PEM certificate or a PEM key"
            case .publicOnly: "the JWK holds no private key (no d, p, q, dp, dq, qi, oth, k)"
            case .oneKeyPerFile: "one key per file (Salesforce uploads a single JWK, not an array or a JWKS)"
            case .kty: "kty is \"RSA\""
            case .kid: "kid is present"
            case .alg: "alg is RS256"
            case .use: "use is \"sig\""
            case .x5c: "x5c is present"
            case .x5cCertificate: "x5c[0] is standard base64 of a DER certificate"
            case .base64url: "n and e are base64url without padding"
            case .keySize: "RSA key of at least 2048 bits"
            case .validNow: "the certificate is valid now"
            case .validTenDays: "the certificate stays valid for at least 10 more days"
            case .keyMatchesCertificate: "n and e equal the certificate's public key"
            case .privateKeyMatches: "the private key matches"
            case .pemCertificate: "a single well-formed PEM certificate"
            case .jwks: "a JWKS: {\"keys\":[…]} with at least one key"
            case .uniqueKid: "every kid is unique"
            case .endpointHTTPS: "the endpoint is public HTTPS (Salesforce fetches it from outside)"
            case .endpointAnswers: "the endpoint answers 200 with JSON"
            case .configKid: "the connector's key_id is published"
            case .configKeyMatches: "the connector's signing key matches the published key with its kid"
            case .configIssuer: "the connector's issuer"
            }
        }
    }

    /// The rule.
    public var rule: Rule
    /// Whether the file passes it.
    public var passed: Bool
    /// What was seen.
    public var detail: String
    /// What to do when it failed.
    public var fix: String?
    /// Which key of a set (`key 2 (kid sf-2)`), or which connector, when not the whole file.
    public var scope: String?

    /// The check, about one key or connector.
    func scoped(_ scope: String) -> KeyCheck {
        var scoped = self
        scoped.scope = scope
        return scoped
    }

    static func pass(_ rule: Rule, _ detail: String = "") -> KeyCheck { KeyCheck(rule: rule, passed: true, detail: detail, fix: nil, scope: nil) }
    static func fail(_ rule: Rule, _ detail: String, fix: String) -> KeyCheck { KeyCheck(rule: rule, passed: false, detail: detail, fix: fix, scope: nil) }

    /// The report line: `✓ title` or `✗ title — detail. Fix: …`.
    public var line: String {
        let prefix = scope.map { "\($0): " } ?? ""
        if passed { return "✓ \(prefix)\(rule.title)" + (detail.isEmpty ? "" : " (\(detail))") }
        return "✗ \(prefix)\(rule.title) — \(detail)" + (fix.map { "\n    fix: \($0)" } ?? "")
    }
}

/// The checks for one file.
public struct KeyCheckReport: Sendable {
    /// The file as named.
    public var file: String
    /// What the file was read as (`JWK`, `JWKS`, `certificate`, `private key`, `public key`).
    public var kind: String
    /// The checks, in order.
    public var checks: [KeyCheck]

    /// Whether every rule passed.
    public var passed: Bool { checks.allSatisfy(\.passed) }
    /// The rules that failed.
    public var failedRules: [KeyCheck.Rule] { checks.filter { !$0.passed }.map(\.rule) }

    /// The report as text.
    public var text: String {
        "\(file) (\(kind))\n" + checks.map { "  " + $0.line }.joined(separator: "\n")
    }
}
