import Crypto
import Foundation
import Hummingbird
import ConnectorKit

/// Bearer-token authentication for the assistant: `Authorization: Bearer <host.api_token>` (the
/// scheme in any case, RFC 7235), compared in constant time; a missing or wrong token is a bare 401.
/// Without a configured token (allowed on loopback only) every request passes. Paths in `open`
/// never need a token.
struct APIAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: Secret?
    let open: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token, !open.contains(request.uri.path) else { return try await next(request, context) }
        guard let header = request.headers[.authorization], let credentials = Self.bearerCredentials(header) else {
            return APIError.unauthorized.response
        }
        // Digests of equal length, compared in constant time: neither the bytes nor the length leak.
        let presented = Secret(bytes: SHA256.hash(data: Data(credentials.utf8)))
        let expected = token.withRevealedBytes { Secret(bytes: SHA256.hash(data: Data($0))) }
        guard presented.constantTimeEquals(expected) else { return APIError.unauthorized.response }
        return try await next(request, context)
    }

    /// The token of `Bearer <token>`: the scheme is case-insensitive, one or more spaces follow it.
    static func bearerCredentials(_ header: String) -> Substring? {
        let scheme = header.prefix { $0 != " " }
        guard scheme.lowercased() == "bearer" else { return nil }
        let token = header.dropFirst(scheme.count).drop { $0 == " " }
        return token.isEmpty ? nil : token
    }
}
