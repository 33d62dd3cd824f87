/// The store does not answer (a database that is down or restarting): nothing was written, and the
/// same request may succeed shortly. The API answers it with `503 store_unavailable`.
public struct StoreUnavailable: Error, Sendable, Hashable, CustomStringConvertible {
    /// What failed, for the log (never a password or a query's values).
    public let reason: String

    /// The error with its reason.
    public init(_ reason: String) { self.reason = reason }

    public var description: String { "the store is unavailable: \(reason)" }
}
