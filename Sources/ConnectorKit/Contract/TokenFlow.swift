import Foundation

/// A token a module's connectors sign, offered to `switchboard jwt mint --connector NAME --flow NAME`
/// so an admin can mint — and compare — exactly what the connector sends. A module lists its flows in
/// ``ConnectorModule/tokenFlows(for:)``; the CLI knows none of them by name.
public struct TokenFlow: Sendable {
    /// What the admin gave on the command line.
    public struct Request: Sendable {
        /// `--sub`, for flows whose subject is per user.
        public var subject: String?
        /// `--given-name`.
        public var givenName: String?
        /// `--family-name`.
        public var familyName: String?
        /// `--aud`, overriding the audience the settings give.
        public var audience: String?
        /// `--ttl`, overriding the flow's lifetime.
        public var lifetime: Duration?
        /// The time the token is issued at.
        public var now: Date
        /// Reads a secret that becomes a claim (a consumer key), never a signing key.
        public var resolve: @Sendable (SecretReference) throws -> String

        /// Creates a request.
        public init(subject: String? = nil, givenName: String? = nil, familyName: String? = nil, audience: String? = nil,
                    lifetime: Duration? = nil, now: Date, resolve: @escaping @Sendable (SecretReference) throws -> String) {
            self.subject = subject
            self.givenName = givenName
            self.familyName = familyName
            self.audience = audience
            self.lifetime = lifetime
            self.now = now
            self.resolve = resolve
        }

        /// `--sub`, or an error saying what it should be.
        public func requiredSubject(_ what: String, flow: String) throws(ConnectorError) -> String {
            guard let subject, !subject.isEmpty else { throw .invalidRequest("--sub is required for the \(flow) flow (\(what))", field: "sub") }
            return subject
        }
    }

    /// What to sign: the claims, the key's reference (the key never leaves the vault) and the header `kid`.
    public struct Plan: Sendable {
        /// The claims.
        public var claims: JWTClaims
        /// The private key's reference.
        public var key: SecretReference
        /// The header `kid`, when the flow uses one.
        public var keyID: String?

        /// Creates a plan.
        public init(claims: JWTClaims, key: SecretReference, keyID: String?) {
            self.claims = claims
            self.key = key
            self.keyID = keyID
        }
    }

    /// The flow's name on the command line (`bearer`, `live-agent`).
    public var name: String
    /// One line: what the token is for.
    public var summary: String
    /// Builds the token's plan from the connector's settings and the request.
    public var plan: @Sendable (Request) throws -> Plan

    /// Creates a flow.
    public init(name: String, summary: String, plan: @escaping @Sendable (Request) throws -> Plan) {
        self.name = name
        self.summary = summary
        self.plan = plan
    }
}
