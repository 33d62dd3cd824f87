import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Response helpers with Salesforce's shapes: JSON bodies, error arrays, `Sforce-Limit-Info`.
enum RESTResponses {
    static let json: HTTPFields = [.contentType: "application/json;charset=UTF-8"]

    static func json(_ status: HTTPResponse.Status, _ body: String, limitInfo: String? = nil) -> Response {
        json(status, ByteBuffer(string: body), limitInfo: limitInfo)
    }

    static func json(_ status: HTTPResponse.Status, _ body: ByteBuffer, limitInfo: String? = nil) -> Response {
        var headers = json
        if let limitInfo { headers[HTTPField.Name("Sforce-Limit-Info")!] = limitInfo }
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// `[{"message":…,"errorCode":…}]`.
    static func error(_ status: HTTPResponse.Status, code: String, message: String, limitInfo: String? = nil) -> Response {
        json(status, "[{\"message\":\(JSONText.string(message)),\"errorCode\":\(JSONText.string(code))}]", limitInfo: limitInfo)
    }

    /// The 401 of an expired or unknown session.
    static func invalidSession() -> Response {
        var response = error(.unauthorized, code: "INVALID_SESSION_ID", message: "Session expired or invalid")
        response.headers[HTTPField.Name("WWW-Authenticate")!] = "Token"
        return response
    }
}

/// Query strings and form bodies: `a=b&c=d`, `+` as space, percent-decoding.
enum FormEncoding {
    static func decode(_ text: Substring) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = unescape(parts[0])
            fields[name] = parts.count > 1 ? unescape(parts[1]) : ""
        }
        return fields
    }

    static func unescape(_ text: Substring) -> String {
        let spaced = String(text).replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The decoded query parameters of a request.
    static func query(of request: Request) -> [String: String] {
        decode(Substring(request.uri.query ?? ""))
    }
}
