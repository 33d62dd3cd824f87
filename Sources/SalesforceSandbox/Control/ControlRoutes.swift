import Foundation
import Hummingbird
import NIOCore

/// The sandbox's control API, for tests and demos (never part of Salesforce):
/// - `GET|POST|DELETE /__sandbox/faults` — list, add (a ``FaultRule`` as JSON), clear faults;
/// - `POST /__sandbox/tokens/expire` — expire every issued access token now;
/// - `POST /__sandbox/connected-apps` — register a ``ConnectedApp`` (JSON);
/// - `GET /__sandbox/stats` — token requests, tokens issued, API usage, requests per route, queries
///   per object (and how many sessions made them).
struct ControlRoutes {
    let org: SandboxOrg
    let faults: FaultInjector
    var messaging: MessagingOrg? = nil

    func add(to router: Router<BasicRequestContext>) {
        let control = router.group("/__sandbox")
        control.get("faults") { _, _ in try Self.encode(faults.active) }
        control.post("faults") { request, _ in
            let data = try await request.body.collect(upTo: 64 * 1024)
            guard let rule = try? JSONDecoder().decode(FaultRule.self, from: Data(buffer: data)) else {
                return RESTResponses.error(.badRequest, code: "INVALID_FAULT", message: "expected a JSON fault: {\"path\": \"/services/…\", \"status\": 503, …}")
            }
            faults.add(rule)
            return try Self.encode(faults.active, status: .created)
        }
        control.delete("faults") { _, _ in
            faults.clear()
            return Response(status: .noContent)
        }
        control.post("tokens/expire") { _, _ in
            org.expireAllTokens()
            messaging?.expireAllTokens()
            return Response(status: .noContent)
        }
        control.post("connected-apps") { request, _ in
            let data = try await request.body.collect(upTo: 256 * 1024)
            guard let app = try? JSONDecoder().decode(ConnectedApp.self, from: Data(buffer: data)) else {
                return RESTResponses.error(.badRequest, code: "INVALID_APP", message: "expected {\"consumerKey\": …, \"certificate\": \"-----BEGIN CERTIFICATE-----…\", \"users\": […]}")
            }
            do {
                try org.register(app)
            } catch {
                return RESTResponses.error(.badRequest, code: "INVALID_CERTIFICATE", message: "the certificate is not a PEM X.509 certificate with an RSA key")
            }
            return Response(status: .created)
        }
        control.get("stats") { _, _ in try Self.encode(org.stats) }
    }

    static func encode(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Response(status: status, headers: RESTResponses.json, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
