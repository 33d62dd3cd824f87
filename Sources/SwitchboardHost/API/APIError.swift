import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The API's error body, `{"error":{"code":…,"message":…}}`, with its status.
struct APIError: Error, Sendable {
    let status: HTTPResponse.Status
    let code: APIErrorCode
    let message: String

    static func badRequest(_ message: String, code: APIErrorCode = .badRequest) -> APIError { .init(status: .badRequest, code: code, message: message) }
    static func notFound(_ message: String) -> APIError { .init(status: .notFound, code: .notFound, message: message) }
    static let unauthorized = APIError(status: .unauthorized, code: .unauthorized, message: "unauthorized")
    static let storeUnavailable = APIError(status: .serviceUnavailable, code: .storeUnavailable,
                                           message: "the host's store does not answer; nothing was written — retry shortly")

    /// `{"error":{"code":…,"message":…}}`.
    var body: String { #"{"error":{"code":"# + JSONValueText.quote(code.rawValue) + #","message":"# + JSONValueText.quote(message) + "}}" }

    var response: Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// JSON text helpers for hand-written bodies.
enum JSONValueText {
    static func quote(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// Encodes a response body as JSON (sorted keys, ISO 8601 dates).
func jsonResponse(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
}

/// Turns thrown ``APIError``s into their JSON response; anything else is a 500 without detail. A
/// path that exists with other methods answers `405 method_not_allowed` with `Allow`.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The routes served, as `METHOD /path/{param}`.
    let routes: [String]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response
        } catch let error as StoreUnavailable {
            context.logger.warning("API request failed: the store does not answer", metadata: ["path": .string(request.uri.path), "error": .string(error.description)])
            return APIError.storeUnavailable.response
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = Self.methods(for: request.uri.path, in: routes)
            if !allowed.isEmpty {
                var response = APIError(status: .methodNotAllowed, code: .methodNotAllowed,
                                        message: "\(request.method.rawValue) is not served on \(request.uri.path); allowed: \(allowed.joined(separator: ", "))").response
                response.headers[.allow] = allowed.joined(separator: ", ")
                return response
            }
            return APIError.notFound("no route \(request.method.rawValue) \(request.uri.path)").response
        } catch {
            context.logger.error("API request failed", metadata: ["path": .string(request.uri.path), "error": .string(String(describing: type(of: error)))])
            return APIError(status: .internalServerError, code: .`internal`, message: "the request failed; see the host's log").response
        }
    }
}

extension APIErrorMiddleware {
    /// The methods of the routes whose template matches `path` (`{…}` matches one segment).
    static func methods(for path: String, in routes: [String]) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        return routes.compactMap { route -> String? in
            let parts = route.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let template = parts[1].split(separator: "/", omittingEmptySubsequences: false)
            guard template.count == segments.count,
                  zip(template, segments).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) else { return nil }
            return String(parts[0])
        }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }
}
