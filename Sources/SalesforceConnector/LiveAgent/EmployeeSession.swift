import ConnectorKit

/// One employee's Enhanced Messaging access: the access token, minted from a user-verification JWT
/// on first use, cached single-flight, and minted again after a 401 (the server gives no lifetime).
/// It is the ``AccessTokenSource`` of every call and of the employee's one event stream.
final class EmployeeSession: AccessTokenSource, Sendable {
    let employeeId: String
    private let provider: TokenProvider<MessagingAccess>

    init(employeeId: String, client: MessagingClient) {
        self.employeeId = employeeId
        self.provider = TokenProvider(refreshMargin: .zero) { [client] in
            (try await client.accessToken(employeeId: employeeId), nil)
        }
    }

    /// The current access (token and the event id its stream starts after).
    func access() async throws -> MessagingAccess { try await provider.token() }

    func token() async throws -> String { try await access().accessToken }

    func invalidate(_ token: String) { provider.invalidate(MessagingAccess(accessToken: token, lastEventId: nil)) }
}
