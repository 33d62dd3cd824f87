import ConnectorKit

extension SalesforceModule {
    /// `bearer` (the OAuth 2.0 JWT bearer assertion) and, with a `live-agent` section, `live-agent`
    /// (the Enhanced Messaging user-verification token), built from the connector's settings exactly
    /// as the connector builds them.
    public func tokenFlows(for configuration: ConnectorConfiguration) -> [TokenFlow] {
        let settings = configuration.settings
        var flows = [
            TokenFlow(name: "bearer", summary: "the JWT bearer assertion posted to the org's token endpoint (iss consumer key, sub username)") { request in
                let audience = request.audience ?? SalesforceAudience.resolve(settings)
                guard let consumerKey = try settings.value(at: "auth.consumer_key")?.sensitiveText(resolve: request.resolve) else {
                    throw ConnectorError.misconfigured("auth.consumer_key is missing", field: "auth.consumer_key")
                }
                return TokenFlow.Plan(
                    claims: .bearerAssertion(consumerKey: consumerKey, username: try settings.requiredText("auth.username"), audience: audience,
                                             now: request.now, lifetime: request.lifetime ?? .seconds(180)),
                    key: try settings.requiredSecret("auth.private_key"), keyID: nil)
            },
        ]
        if settings["live-agent"] != nil {
            flows.append(TokenFlow(name: "live-agent", summary: "the Enhanced Messaging user-verification token (sub the employee, kid the keyset's)") { request in
                TokenFlow.Plan(
                    claims: .messagingUserToken(subject: try request.requiredSubject("the employee's stable id", flow: "live-agent"),
                                                issuer: try settings.requiredText("live-agent.issuer"), now: request.now,
                                                lifetime: try request.lifetime ?? settings.requiredDuration("live-agent.token_lifetime")),
                    key: try settings.requiredSecret("live-agent.private_key"), keyID: try settings.requiredText("live-agent.key_id"))
            })
        }
        return flows
    }
}
