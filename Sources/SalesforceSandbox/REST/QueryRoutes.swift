import Foundation
import HTTPTypes
import Hummingbird

/// `GET /services/data/` (versions), `…/vXX.X/query?q=`, `…/queryAll?q=`, `…/query/{locator}-{offset}`,
/// and `…/limits`, behind the session check and the daily API limit.
struct QueryRoutes {
    let org: SandboxOrg
    let session: SessionCheck
    static let versions = (31...67).map { "\($0).0" }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/services/data") { _, _ in versionsResponse() }
        let data = router.group("/services/data/:version")
        data.get("query") { request, context in try await session.authorized(request, context) { version, _ in query(request, version: version, all: false) } }
        data.get("queryAll") { request, context in try await session.authorized(request, context) { version, _ in query(request, version: version, all: true) } }
        data.get("query/:locator") { request, context in
            try await session.authorized(request, context) { version, _ in
                let locator = context.parameters.get("locator") ?? ""
                guard let page = org.nextPage(locator) else {
                    return RESTResponses.error(.badRequest, code: "INVALID_QUERY_LOCATOR", message: "invalid query locator", limitInfo: org.limitInfo)
                }
                org.countQuery(object: page.object, token: SessionCheck.token(request) ?? "")
                return RESTResponses.json(.ok, RecordJSON.page(object: page.object, rows: page.page, total: page.total, next: page.next, version: version),
                                          limitInfo: org.limitInfo)
            }
        }
        data.get("limits") { request, context in
            try await session.authorized(request, context) { _, _ in
                let used = org.stats.apiUsage
                let max = org.configuration.dailyApiLimit
                return RESTResponses.json(.ok, "{\"DailyApiRequests\":{\"Max\":\(max),\"Remaining\":\(Swift.max(0, max - used))}}", limitInfo: org.limitInfo)
            }
        }
    }

    private func versionsResponse() -> Response {
        let list = Self.versions.map { "{\"label\":\"v\($0)\",\"url\":\"/services/data/v\($0)\",\"version\":\"\($0)\"}" }
        return RESTResponses.json(.ok, "[" + list.joined(separator: ",") + "]")
    }

    private func query(_ request: Request, version: String, all: Bool) -> Response {
        guard let text = FormEncoding.query(of: request)["q"], !text.isEmpty else {
            return RESTResponses.error(.badRequest, code: "MALFORMED_QUERY", message: "A query string has to be specified", limitInfo: org.limitInfo)
        }
        let evaluator: SOQLEvaluator
        do {
            evaluator = try SOQLEvaluator(try SOQLParser.parse(text), text: text, org: org)
        } catch let failure as SOQLParser.Failure {
            return RESTResponses.error(.badRequest, code: "MALFORMED_QUERY", message: failure.message, limitInfo: org.limitInfo)
        } catch let failure as SOQLEvaluator.Failure {
            return RESTResponses.error(.badRequest, code: failure.errorCode, message: failure.message, limitInfo: org.limitInfo)
        } catch {
            return RESTResponses.error(.badRequest, code: "MALFORMED_QUERY", message: "\(error)", limitInfo: org.limitInfo)
        }
        let result = org.runQuery(evaluator, includeDeleted: all, batchSize: Self.batchSize(request.headers[HTTPField.Name("Sforce-Query-Options")!]))
        org.countQuery(object: evaluator.schema.name, token: SessionCheck.token(request) ?? "")
        return RESTResponses.json(.ok, RecordJSON.page(object: evaluator.schema.name, rows: result.page, total: result.total,
                                                 next: result.locator, version: version), limitInfo: org.limitInfo)
    }

    /// `batchSize=N` from `Sforce-Query-Options`: default 2000, clamped to 200…2000.
    static func batchSize(_ header: String?) -> Int {
        guard let header else { return 2000 }
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "batchsize", let size = Int(pair[1]) { return min(max(size, 200), 2000) }
        }
        return 2000
    }
}
