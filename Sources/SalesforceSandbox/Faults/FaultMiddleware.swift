import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// Applies ``FaultInjector`` rules to every request except the control API's own routes.
struct FaultMiddleware<Context: RequestContext>: RouterMiddleware {
    let faults: FaultInjector
    let org: SandboxOrg
    let messaging: MessagingOrg
    var dynamics: DynamicsOrg? = nil

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let isControl = path.hasPrefix("/__sandbox/") && !path.hasPrefix("/__sandbox/stream")
        let query = (request.uri.query ?? "").replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
        guard !isControl, let rule = faults.take(method: request.method.rawValue, path: path, query: query) else {
            return try await next(request, context)
        }
        if rule.expireToken == true {
            org.expireAllTokens()
            messaging.expireAllTokens()
            dynamics?.expireAllTokens()
        }
        if let delay = rule.delayMs, delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
        if let status = rule.status {
            var headers: HTTPFields = [.contentType: "application/json;charset=UTF-8"]
            if let retryAfter = rule.retryAfter { headers[HTTPField.Name("Retry-After")!] = retryAfter }
            return Response(status: .init(code: status), headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: rule.body ?? rule.defaultBody)))
        }
        var response = try await next(request, context)
        if let after = rule.delayAfterMs, after > 0 { try await Task.sleep(for: .milliseconds(after)) }
        if let status = rule.statusAfter {
            return Response(status: .init(code: status), headers: [.contentType: "application/json;charset=UTF-8"],
                            body: .init(byteBuffer: ByteBuffer(string: rule.body ?? rule.defaultBody)))
        }
        if let limit = rule.dropAfterBytes {
            let original = response.body
            response.body = ResponseBody(contentLength: original.contentLength) { writer in
                try await original.write(TruncatingWriter(inner: writer, remaining: limit))
                throw DroppedConnection()
            }
        }
        if let limit = rule.stallAfterBytes {
            let original = response.body
            response.body = ResponseBody(contentLength: original.contentLength) { writer in
                try? await original.write(TruncatingWriter(inner: writer, remaining: limit))
                // Silent until the server shuts down (or the request task is cancelled).
                while !Task.isCancelled, !Task.isShuttingDownGracefully { try? await Task.sleep(for: .milliseconds(50)) }
                throw DroppedConnection()
            }
        }
        return response
    }
}

/// Thrown to make Hummingbird close the connection mid-response.
struct DroppedConnection: Error {}

/// Passes on the first `remaining` bytes, then refuses everything (which drops the connection).
struct TruncatingWriter: ResponseBodyWriter {
    var inner: any ResponseBodyWriter
    var remaining: Int

    mutating func write(_ buffer: ByteBuffer) async throws {
        guard remaining > 0 else { throw DroppedConnection() }
        let count = min(remaining, buffer.readableBytes)
        if count > 0 { try await inner.write(buffer.getSlice(at: buffer.readerIndex, length: count)!) }
        remaining -= count
        if remaining <= 0 { throw DroppedConnection() }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        throw DroppedConnection()
    }
}
