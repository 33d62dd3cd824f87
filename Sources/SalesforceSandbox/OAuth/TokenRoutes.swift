import Foundation
import Hummingbird

/// `POST /services/oauth2/token`: the OAuth 2.0 JWT bearer grant (salesforce-rest-api.md §1).
struct TokenRoutes {
    let org: SandboxOrg
    let baseURL: @Sendable () -> String

    func add(to router: Router<BasicRequestContext>) {
        router.post("/services/oauth2/token") { request, _ in
            org.countTokenRequest()
            let body = try await request.body.collect(upTo: 64 * 1024)
            let form = FormEncoding.decode(Substring(String(buffer: body)))
            guard form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer" else { return Self.failure(.unsupportedGrantType) }
            guard let assertion = form["assertion"], !assertion.isEmpty else { return Self.failure(.invalidAssertion) }
            let base = baseURL()
            do throws(OAuthError) {
                let username = try await AssertionVerifier(org: org).verify(assertion)
                let token = org.issueToken(username: username)
                let userID = org.records("User").first { $0["Username"] == .string(username) }?.id ?? "005SBX000000001AAA"
                let issuedAt = String(Int64(Date().timeIntervalSince1970 * 1000))
                let json = "{\"access_token\":\(JSONText.string(token)),\"instance_url\":\(JSONText.string(base)),"
                    + "\"id\":\(JSONText.string("\(base)/id/\(org.configuration.organizationID)/\(userID)")),"
                    + "\"token_type\":\"Bearer\",\"scope\":\"api\",\"issued_at\":\"\(issuedAt)\",\"signature\":\"c2FuZGJveA==\"}"
                return RESTResponses.json(.ok, json)
            } catch let error {
                return Self.failure(error)
            }
        }
    }

    static func failure(_ error: OAuthError) -> Response { RESTResponses.json(.badRequest, error.json) }
}
