import JWTKit

/// The claims of a JWT bearer assertion, read as leniently as Salesforce reads them: `aud` as a
/// string or an array, `exp` as a number or a numeric string, `prn` as the legacy `sub`.
struct AssertionClaims: JWTPayload {
    var iss: String?
    var sub: String?
    var prn: String?
    var aud: [String]
    var exp: Double?

    enum CodingKeys: String, CodingKey { case iss, sub, prn, aud, exp }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iss = try? container.decodeIfPresent(String.self, forKey: .iss)
        sub = try? container.decodeIfPresent(String.self, forKey: .sub)
        prn = try? container.decodeIfPresent(String.self, forKey: .prn)
        if let single = try? container.decode(String.self, forKey: .aud) {
            aud = [single]
        } else {
            aud = (try? container.decode([String].self, forKey: .aud)) ?? []
        }
        if let number = try? container.decode(Double.self, forKey: .exp) {
            exp = number
        } else if let text = try? container.decode(String.self, forKey: .exp), let number = Double(text) {
            exp = number
        } else {
            exp = nil
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(iss, forKey: .iss)
        try container.encodeIfPresent(sub, forKey: .sub)
        try container.encodeIfPresent(prn, forKey: .prn)
        try container.encode(aud, forKey: .aud)
        try container.encodeIfPresent(exp, forKey: .exp)
    }

    /// Claims are checked by ``AssertionVerifier`` one by one, so each failure gets its own error.
    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// The run-as username: `prn` wins when both are present (help article 000204593).
    var subject: String? { prn ?? sub }
}
