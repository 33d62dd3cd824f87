import Foundation
import HTTPTypes
import Hummingbird

/// Keeps web pages out of the API. A browser on the assistant's machine can reach a loopback API:
/// by DNS rebinding (a page's own name made to resolve to 127.0.0.1, so its `Host` is that name) or
/// by cross-site requests (forms and `text/plain` POSTs need no CORS preflight). So:
/// - without `host.api_token`, the `Host` header must be a loopback literal or `localhost` (a name
///   that merely *resolves* to loopback is the rebinding attack) — else `403 forbidden_host`;
/// - without a token, an `Origin` other than a loopback one is `403 forbidden_origin`;
/// - a query parameter given twice is `400 invalid_parameter` (each takes one value);
/// - a body is JSON or nothing: anything else on POST/PATCH/PUT is `415 unsupported_media_type`
///   (``JSONBodyMiddleware``, after authentication).
/// No CORS headers are ever sent, so no other origin can read an answer. (With a token, a
/// cross-site request cannot carry it.)
struct RequestGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    /// No API token is configured.
    let tokenless: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if tokenless {
            guard let authority = request.head.authority, Self.isLoopbackAuthority(authority) else {
                return APIError(status: .forbidden, code: .forbiddenHost,
                                message: "this API answers only to a loopback Host (127.0.0.1, [::1], localhost) while it has no api_token").response
            }
            if let origin = request.headers[.origin], !Self.isLoopbackOrigin(origin) {
                return APIError(status: .forbidden, code: .forbiddenOrigin, message: "requests from web pages of other origins are refused").response
            }
        }
        // Every query parameter of the API takes one value: a repeated one is refused, not half-read.
        var seen = Set<String>()
        for (name, _) in request.uri.queryParameters where apiQueryParameters.contains(String(name)) && !seen.insert(String(name)).inserted {
            return APIError.badRequest("the \(name) query parameter is given more than once; it takes one value", code: .invalidParameter).response
        }
        return try await next(request, context)
    }

    /// `127.0.0.1:8710`, `[::1]:8710`, `localhost:8710` (any port), without userinfo.
    static func isLoopbackAuthority(_ authority: String) -> Bool {
        var host = Substring(authority)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let rest = host[host.index(after: close)...]
            guard rest.isEmpty || (rest.hasPrefix(":") && rest.dropFirst().allSatisfy(Self.isDigit)) else { return false }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            guard host[host.index(after: colon)...].allSatisfy(Self.isDigit) else { return false }
            host = host[..<colon]
        }
        if host.lowercased() == "localhost" { return true }
        return LoopbackCheck.literal(String(host)) == true
    }

    static func isDigit(_ character: Character) -> Bool { character.isASCII && character.isNumber }

    /// `http://127.0.0.1:8710`, `http://localhost:3000`, …
    static func isLoopbackOrigin(_ origin: String) -> Bool {
        guard let url = URL(string: origin), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), let host = url.host else {
            return false
        }
        return host.lowercased() == "localhost" || LoopbackCheck.literal(host) == true
    }

}

/// A body is JSON or nothing: a POST, PATCH or PUT with any other body (a form, `text/plain` — what
/// a web page can send without asking) is `415 unsupported_media_type`.
struct JSONBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if [.post, .patch, .put].contains(request.method), Self.hasBody(request), !Self.isJSON(request.headers[.contentType]) {
            return APIError(status: .unsupportedMediaType, code: .unsupportedMediaType,
                            message: "a request body must be JSON (Content-Type: application/json)").response
        }
        return try await next(request, context)
    }

    static func hasBody(_ request: Request) -> Bool {
        if request.headers[.contentType] != nil || request.headers[.transferEncoding] != nil { return true }
        return (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0
    }

    /// `application/json`, or a `+json` type, with or without parameters.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
        return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }
}

/// The API's query parameters (openapi.yaml), each taking one value; others are ignored.
private let apiQueryParameters: Set<String> = ["email", "q", "lang", "limit", "requester", "state", "connector", "after", "subject", "wait"]
