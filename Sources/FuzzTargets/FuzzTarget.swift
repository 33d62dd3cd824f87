/// Every parser Switchboard wrote by hand that reads untrusted bytes, as a fuzz target: one input
/// in, a ``FuzzFinding`` out when a check fails (a differential disagreement, a broken
/// invariant). A crash, a sanitizer report, a timeout or a memory blow-up is libFuzzer's to catch.
///
/// The fuzz binary (`Fuzz/`, libFuzzer under AddressSanitizer) runs one of them per process; the
/// `FuzzRegressionTests` run every seed and every input that ever failed through them in `swift test`.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `JSONParser` against Foundation's `JSONSerialization`: same accept/reject, same values.
    case json
    /// `JSONReader` on the contact sync's path (query answer → users) and a reader walk the input steers.
    case jsonReader = "json-reader"
    /// `SSEParser`, owned and borrowing paths, at random chunk splits, against a spec-literal reference.
    case sse
    /// HTML article bodies to text.
    case html
    /// `switchboard keys inspect`: a pasted JWT, decoded and checked.
    case jwt
    /// `switchboard keys check` input: JWK, JWKS, PEM keys and certificates.
    case keys
    /// `connectors.yaml`: YAML, then the schema of the host and of every built-in module.
    case config
    /// The vault file format: structure, then every entry opened with a key.
    case vault
    /// The external module protocol's reader: lines at random splits, then JSON-RPC messages.
    case moduleProtocol = "module-protocol"

    /// Runs the target on one input.
    public func run(_ input: [UInt8]) throws(FuzzFinding) {
        switch self {
        case .json: try JSONTargets.differential(input)
        case .jsonReader: try JSONTargets.reader(input)
        case .sse: try SSETarget.run(input)
        case .html: TextTargets.html(input)
        case .jwt: TextTargets.jwt(input)
        case .keys: TextTargets.keys(input)
        case .config: ConfigTarget.run(input)
        case .vault: try VaultTarget.run(input)
        case .moduleProtocol: try ModuleProtocolTarget.run(input)
        }
    }
}

/// A check a fuzz target makes that failed on an input: which, and what differed.
public struct FuzzFinding: Error, CustomStringConvertible, Sendable {
    /// The target.
    public var target: FuzzTarget
    /// What failed.
    public var description: String

    /// A finding of `target`.
    public init(_ target: FuzzTarget, _ description: String) {
        self.target = target
        self.description = description
    }
}
