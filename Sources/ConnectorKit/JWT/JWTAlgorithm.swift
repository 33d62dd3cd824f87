/// The JWS algorithms the signer produces and the verifier accepts: RSASSA-PKCS1-v1_5 with SHA-2.
public enum JWTAlgorithm: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case rs256 = "RS256"
    case rs384 = "RS384"
    case rs512 = "RS512"

    /// The OpenSSL digest name.
    var digestName: String {
        switch self {
        case .rs256: "SHA256"
        case .rs384: "SHA384"
        case .rs512: "SHA512"
        }
    }

    public var description: String { rawValue }
}
