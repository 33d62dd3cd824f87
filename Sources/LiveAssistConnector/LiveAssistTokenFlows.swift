import ConnectorKit

extension LiveAssistModule {
    /// `live-assist`: the authenticated chat token Live Assist verifies (sub the Dynamics contact GUID,
    /// given_name, family_name), from the connector's `live-agent` section.
    public func tokenFlows(for configuration: ConnectorConfiguration) -> [TokenFlow] {
        let settings = configuration.settings
        return [
            TokenFlow(name: "live-assist", summary: "the Live Assist authenticated chat token (sub the CRM contact GUID)") { request in
                let contact = try request.requiredSubject("the Dynamics contact GUID", flow: "live-assist")
                guard let givenName = request.givenName, let familyName = request.familyName else {
                    throw ConnectorError.invalidRequest("the live-assist flow needs --given-name and --family-name", field: "given-name")
                }
                return TokenFlow.Plan(
                    claims: .liveAssistToken(contactId: contact, givenName: givenName, familyName: familyName,
                                             issuer: try settings.requiredText("live-agent.issuer"), now: request.now,
                                             lifetime: try request.lifetime ?? settings.requiredDuration("live-agent.token_lifetime")),
                    key: try settings.requiredSecret("live-agent.private_key"), keyID: nil)
            },
        ]
    }
}
