import ConnectorKit
import Foundation
import X509

/// `switchboard doctor` for a Salesforce connector: every Setup step its enabled features rely on,
/// checked against the org — the bearer token exchange, the integration user's object access and
/// the configured fields (describe calls), the Enhanced Messaging deployment (a token for a test
/// subject, its pre-chat fields for the routing attributes) and the published signing key.
extension SalesforceConnection {
    func diagnose() async -> [Diagnosis] {
        let needs = objectNeeds
        let token = await diagnoseToken(usedByAnyFeature: !needs.isEmpty)
        var found = [token]
        for need in needs {
            guard token.outcome == .passed else {
                found.append(.skipped("salesforce.object.\(need.object.lowercased())", "the integration user can use \(need.object)", "no token"))
                continue
            }
            found += await diagnose(need)
        }
        if let liveAgentService, let liveAgent = settings.liveAgent {
            found += await diagnoseMessaging(liveAgentService, liveAgent)
        }
        return found
    }

    /// The JWT bearer token exchange (skipped when only live-agent handoffs run: Enhanced Messaging
    /// needs no REST token).
    func diagnoseToken(usedByAnyFeature: Bool) async -> Diagnosis {
        let title = "the JWT bearer token exchange works"
        guard usedByAnyFeature else { return .skipped("salesforce.token", title, "no feature of this connector uses the REST API") }
        do {
            let session = try await auth.session()
            return .passed("salesforce.token", title, "as \(settings.credentials.username) on \(session.instanceURL), aud \(settings.credentials.audience)")
        } catch {
            return .failed("salesforce.token", title, "\(error)", fix: Self.tokenFix)
        }
    }

    static let tokenFix = "see the reason above; the connected app (Setup → App Manager → your app → Manage) must have Use digital signatures with the "
        + "certificate of auth.private_key, Admin approved users are pre-authorized, and the integration user's profile or permission set added"

    /// What an enabled feature needs of one object: the operations and the fields it names.
    struct ObjectNeed {
        var object: String
        var feature: Feature
        var create = false
        var edit = false
        var fields: [String] = []
        var externalID: String?
    }

    var objectNeeds: [ObjectNeed] {
        var needs: [ObjectNeed] = []
        if configuration.isEnabled(.userIngestion) {
            needs.append(ObjectNeed(object: "Contact", feature: .userIngestion, fields: ["FirstName", "LastName", "Email"] + settings.contacts.fields))
        }
        if configuration.isEnabled(.ticketing) {
            let ticketing = settings.ticketing
            needs.append(ObjectNeed(object: "Case", feature: .ticketing, create: true, edit: true,
                                    fields: ["Subject", "Description", "Status", "Priority", "Origin", "ContactId", "SuppliedEmail"]
                                        + ticketing.fieldMapping.values.sorted(),
                                    externalID: ticketing.idempotencyField))
            needs.append(ObjectNeed(object: "CaseComment", feature: .ticketing, create: true, fields: ["ParentId", "CommentBody", "IsPublished"]))
        }
        if configuration.isEnabled(.knowledge) {
            needs.append(ObjectNeed(object: settings.knowledge.object, feature: .knowledge, fields: ["Title", "Summary", "UrlName"] + settings.knowledge.bodyFields))
        }
        return needs
    }

    /// Object access (describe: queryable, createable, updateable) and every field named.
    func diagnose(_ need: ObjectNeed) async -> [Diagnosis] {
        let id = "salesforce.object.\(need.object.lowercased())"
        let permissionSet = "Setup → Permission Sets → the integration user's permission set → Object Settings → \(need.object)"
        let describe: JSONValue
        do {
            describe = try JSONParser.parse(try await rest.send("GET", "\(rest.basePath)/sobjects/\(need.object)/describe").body)
        } catch let error as SalesforceAPIError where error.status == 404 {
            let licence = need.feature == .knowledge ? "; a Knowledge object also needs the Knowledge User feature licence on the user (Setup → Users → the integration user)" : ""
            return [.failed(id, "the integration user can read \(need.object) (\(need.feature.rawValue))",
                            "\(need.object) does not exist for the integration user (describe: NOT_FOUND)",
                            fix: "grant Read on \(need.object): \(permissionSet)\(licence)")]
        } catch {
            return [.failed(id, "the integration user can read \(need.object) (\(need.feature.rawValue))", "describe failed: \(error)",
                            fix: "check the connector's log; the REST API must be reachable at the instance URL")]
        }
        var found: [Diagnosis] = []
        func permission(_ flag: String, _ name: String, wanted: Bool) {
            guard wanted else { return }
            let title = "the integration user can \(name.lowercased()) \(need.object) (\(need.feature.rawValue))"
            found.append(describe[flag] == .bool(true) ? .passed("\(id).\(name.lowercased())", title)
                : .failed("\(id).\(name.lowercased())", title, "\(name) on \(need.object) is not granted",
                          fix: "grant \(name) on \(need.object): \(permissionSet)"))
        }
        permission("queryable", "Read", wanted: true)
        permission("createable", "Create", wanted: need.create)
        permission("updateable", "Edit", wanted: need.edit)
        var fields: [String: JSONValue] = [:]
        let described: [JSONValue] = if case .array(let items)? = describe["fields"] { items } else { [] }
        for field in described {
            if let name = field["name"]?.stringValue { fields[name.lowercased()] = field }
        }
        var missing: [String] = []
        for name in need.fields where fields[name.lowercased()] == nil { missing.append(name) }
        let fieldTitle = "the fields \(need.feature.rawValue) uses exist on \(need.object)"
        if missing.isEmpty {
            found.append(.passed("\(id).fields", fieldTitle, need.fields.joined(separator: ", ")))
        } else {
            found.append(.failed("\(id).fields", fieldTitle, "\(need.object) has no field \(missing.joined(separator: ", ")) the integration user can see",
                                 fix: "create it (Setup → Object Manager → \(need.object) → Fields & Relationships → New) and give the integration user "
                                    + "access (field-level security: Read, and Edit for fields it writes) — or remove it from the connector's settings; custom fields are optional"))
        }
        if let key = need.externalID {
            let title = "ticketing.idempotency_field \(key) is an External ID"
            let field = fields[key.lowercased()]
            if field?["externalId"] == .bool(true), field?["unique"] == .bool(true) {
                found.append(.passed("\(id).external-id", title))
            } else {
                found.append(.failed("\(id).external-id", title, field == nil ? "\(key) does not exist on \(need.object)" : "\(key) is not marked External ID and Unique",
                                     fix: "edit the field (Setup → Object Manager → \(need.object) → Fields & Relationships → \(key)): tick External ID and Unique — or unset ticketing.idempotency_field (the host keeps the keys then)"))
            }
        }
        return found
    }

    /// The Enhanced Messaging deployment: a token for a test subject, the pre-chat fields for the
    /// routing attributes, and the signing key's publication.
    func diagnoseMessaging(_ service: LiveAgentService, _ liveAgent: LiveAgentSettings) async -> [Diagnosis] {
        var found: [Diagnosis] = []
        let tokenTitle = "Enhanced Messaging gives a verified user a token (deployment \(liveAgent.esDeveloperName))"
        do {
            let access = try await service.client.accessToken(employeeId: "switchboard-doctor")
            try? await service.client.revoke(token: access.accessToken)
            found.append(.passed("salesforce.messaging.token", tokenTitle, "for the test subject switchboard-doctor"))
            let wanted = [liveAgent.userAttribute, liveAgent.topicAttribute]
            let missing = wanted.filter { !access.preChatFields.contains($0) }
            let title = "the routing attributes are pre-chat fields of the deployment"
            found.append(missing.isEmpty ? .passed("salesforce.messaging.routing-attributes", title, wanted.joined(separator: ", "))
                : .failed("salesforce.messaging.routing-attributes", title,
                          "\(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") not among \(access.preChatFields.isEmpty ? "none" : access.preChatFields.joined(separator: ", "))",
                          fix: "add each as a custom parameter of the messaging channel and a hidden pre-chat field of the deployment (Setup → Embedded Service "
                            + "Deployments → \(liveAgent.esDeveloperName) → Pre-Chat), mapped in the Omni-Channel flow — or fix live-agent.routing_attributes"))
        } catch {
            found.append(.failed("salesforce.messaging.token", tokenTitle, "\(error)",
                                 fix: "User Verification must be on for the channel with a keyset holding key_id \(liveAgent.keyID) and issuer \(liveAgent.issuer) exactly"))
            found.append(.skipped("salesforce.messaging.routing-attributes", "the routing attributes are pre-chat fields of the deployment", "no token"))
        }
        found.append(diagnoseSigningKey(liveAgent))
        return found
    }

    /// The signing key is published under its kid (for an Endpoint URL keyset) and its certificate
    /// stays valid for at least 10 days (Salesforce's upload rule).
    func diagnoseSigningKey(_ liveAgent: LiveAgentSettings) -> Diagnosis {
        let id = "salesforce.messaging.signing-key", title = "the JWKS serves the signing key \(liveAgent.keyID) with a certificate valid 10+ more days"
        do {
            guard let jwk = try liveAgentKeys?.jwks().first(where: { $0.keyID == liveAgent.keyID }) else {
                return .failed(id, title, "no key \(liveAgent.keyID) among the published keys", fix: "check live-agent.key_id and live-agent.certificate")
            }
            let key = try jwk.publicKey()
            if let privateKey = try? RSAPublicKey(privateKeyPEM: context.vault.resolve(liveAgent.privateKey)), privateKey != key {
                return .failed(id, title, "the published key \(liveAgent.keyID) is not live-agent.private_key's",
                               fix: "live-agent.certificate must be the certificate of live-agent.private_key")
            }
            guard let der = jwk.certificateChain?.first.flatMap({ Data(base64Encoded: $0) }), let certificate = try? Certificate(derEncoded: Array(der)) else {
                return .passed(id, title, "published (no certificate to date)")
            }
            let days = Int(certificate.notValidAfter.timeIntervalSince(context.clock.now()) / 86_400)
            return days >= 10 ? .passed(id, title, "certificate valid \(days) more days")
                : .failed(id, title, "the certificate expires in \(max(days, 0)) days",
                          fix: "make a new key and certificate (`switchboard keys generate`), publish it in next_keys, then make it key_id")
        } catch {
            return .failed(id, title, "\(error)", fix: "live-agent.private_key (and certificate) must be readable PEM")
        }
    }
}
