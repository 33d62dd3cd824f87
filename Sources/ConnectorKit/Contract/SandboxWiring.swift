import Foundation

/// What a connector needs from the built-in sandbox org (the fake Salesforce and Dynamics 365 that
/// `switchboard run` starts on loopback) when its settings name it — typically a URL setting written
/// `sandbox`. A module returns it from ``ConnectorModule/sandboxWiring(for:)``; the executable starts
/// the sandbox, registers what is asked for, and runs the connector with ``rewrite``'s settings. The
/// host and the CLI read no module setting themselves.
public struct SandboxWiring: Sendable {
    /// A connected app (OAuth JWT bearer) to register: consumer key, integration user, and the key
    /// whose certificate is uploaded. A `file:` key that does not exist yet is generated (sandbox only).
    public struct ConnectedApp: Sendable, Hashable {
        /// The consumer key: a literal, or a reference the executable resolves.
        public var consumerKey: SettingValue
        /// The integration user (the assertion's `sub`).
        public var username: String
        /// The signing key.
        public var privateKey: SecretReference

        /// Creates a connected app.
        public init(consumerKey: SettingValue, username: String, privateKey: SecretReference) {
            self.consumerKey = consumerKey
            self.username = username
            self.privateKey = privateKey
        }
    }

    /// An Enhanced Messaging deployment whose keyset trusts the connector's user-verification key.
    public struct Messaging: Sendable, Hashable {
        /// The org id.
        public var orgId: String
        /// The deployment's API name.
        public var esDeveloperName: String
        /// The keyset's issuer.
        public var issuer: String
        /// The key's `kid`.
        public var keyID: String
        /// The signing key (generated when a `file:` key is missing).
        public var privateKey: SecretReference

        /// Creates a deployment.
        public init(orgId: String, esDeveloperName: String, issuer: String, keyID: String, privateKey: SecretReference) {
            self.orgId = orgId
            self.esDeveloperName = esDeveloperName
            self.issuer = issuer
            self.keyID = keyID
            self.privateKey = privateKey
        }
    }

    /// A Dynamics 365 app registration (client credentials).
    public struct Dynamics: Sendable, Hashable {
        /// The tenant.
        public var tenant: String
        /// The client id.
        public var clientId: String
        /// The client secret (a random one is generated into a missing `file:`).
        public var clientSecret: SecretReference
        /// A signing key the connector uses besides (generated when a `file:` key is missing).
        public var signingKey: SecretReference?

        /// Creates a registration.
        public init(tenant: String, clientId: String, clientSecret: SecretReference, signingKey: SecretReference?) {
            self.tenant = tenant
            self.clientId = clientId
            self.clientSecret = clientSecret
            self.signingKey = signingKey
        }
    }

    /// A custom field the org must have (stock orgs have none).
    public struct CustomField: Sendable, Hashable {
        /// The object (`Case`).
        public var object: String
        /// The API name (`Category__c`).
        public var name: String
        /// Whether it is an External ID (upserts go by it).
        public var isExternalID: Bool

        /// Creates a field.
        public init(object: String, name: String, isExternalID: Bool = false) {
            self.object = object
            self.name = name
            self.isExternalID = isExternalID
        }
    }

    /// The generated data, when the connector sets it (the first connector's wins).
    public var data: SettingsObject?
    /// The connected app to register.
    public var connectedApp: ConnectedApp?
    /// The messaging deployment to create.
    public var messaging: Messaging?
    /// The Dynamics registration.
    public var dynamics: Dynamics?
    /// Custom fields to add to the org's schema.
    public var customFields: [CustomField]
    /// The connector's settings with the sandbox's base URL in place of the `sandbox` keyword.
    public var rewrite: @Sendable (_ baseURL: URL) -> SettingsObject

    /// Creates the wiring.
    public init(data: SettingsObject? = nil, connectedApp: ConnectedApp? = nil, messaging: Messaging? = nil, dynamics: Dynamics? = nil,
                customFields: [CustomField] = [], rewrite: @escaping @Sendable (_ baseURL: URL) -> SettingsObject) {
        self.data = data
        self.connectedApp = connectedApp
        self.messaging = messaging
        self.dynamics = dynamics
        self.customFields = customFields
        self.rewrite = rewrite
    }
}
