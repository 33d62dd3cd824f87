import ConnectorKit
import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension HostAPI {
    /// Runs a connector call, turning its errors into API errors for the assistant. The assistant
    /// gets what it can act on — the kind, and a message that names no upstream URL, query or host;
    /// the host's log gets the whole error (secrets redacted by the log handler).
    func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ConnectorError {
            let status: HTTPResponse.Status = switch error.code {
            case .invalidRequest: .badRequest
            case .notFound: .notFound
            case .conflict: .conflict
            case .rateLimited, .unavailable, .upstream: .serviceUnavailable
            case .unauthorized: .badGateway
            case .notImplemented: .notImplemented
            default: .internalServerError
            }
            if error.isRetryable || error.code == .unauthorized {
                logger.warning("connector call failed", metadata: ["error": .string(error.description)])
            }
            throw APIError(status: status, code: APIErrorCode(rawValue: error.kind), message: Self.withoutURLs(error.message))
        } catch let error as APIError {
            throw error
        } catch let error as StoreUnavailable {
            logger.warning("connector call failed: the store does not answer", metadata: ["error": .string(error.description)])
            throw APIError.storeUnavailable
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as TransportError {
            logger.warning("connector call failed", metadata: ["error": .string(error.description)])
            throw APIError(status: error.status == 429 ? .serviceUnavailable : .badGateway, code: .upstreamError,
                           message: "the external system did not answer in time (\(error.summary)); see the host's log")
        } catch {
            // Authentication and other failures: their descriptions may name hosts and URLs.
            logger.warning("connector call failed", metadata: ["error": .string(String(describing: error))])
            throw APIError(status: .badGateway, code: .upstreamError,
                           message: "the connector's request to the external system failed (\(String(describing: type(of: error)))); see the host's log")
        }
    }

    /// `text` with every absolute URL replaced by `(URL)`: upstream addresses, paths and queries stay
    /// in the log.
    static func withoutURLs(_ text: String) -> String {
        text.replacingOccurrences(of: #"[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]*[^\s"'<>.,;:)]"#, with: "(URL)", options: .regularExpression)
    }
}
