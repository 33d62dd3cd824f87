import Hummingbird

/// What every data route checks first: a supported API version, a valid session (else 401
/// `INVALID_SESSION_ID`), and the daily API limit (else 403 `REQUEST_LIMIT_EXCEEDED`).
struct SessionCheck: Sendable {
    let org: SandboxOrg

    /// Runs `body` with the version (`v62.0`) and the session user's id when all checks pass.
    func authorized(_ request: Request, _ context: BasicRequestContext,
                    _ body: (String, String) async throws -> Response) async throws -> Response {
        let version = context.parameters.get("version") ?? ""
        guard version.hasPrefix("v"), QueryRoutes.versions.contains(String(version.dropFirst())) else {
            return RESTResponses.error(.notFound, code: "NOT_FOUND", message: "The requested resource does not exist")
        }
        guard let token = Self.token(request), let username = org.session(for: token) else {
            return RESTResponses.invalidSession()
        }
        guard org.countAPICall() else {
            return RESTResponses.error(.forbidden, code: "REQUEST_LIMIT_EXCEEDED", message: "TotalRequests Limit exceeded.", limitInfo: org.limitInfo)
        }
        let userID = org.records("User").first { $0["Username"] == .string(username) }?.id ?? SalesforceID.make(prefix: "005", number: 1)
        return try await body(version, userID)
    }

    /// The access token of `Authorization: Bearer …` (or `OAuth …`).
    static func token(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], let space = header.firstIndex(of: " "),
              ["bearer", "oauth"].contains(header[..<space].lowercased()) else { return nil }
        return String(header[header.index(after: space)...])
    }
}
