import ConnectorKit
import Foundation
import PostgresNIO

/// Where a PostgreSQL store is: `postgres://USER@HOST:PORT/DATABASE` (`host.store`), the password
/// apart as a secret (`host.store_password`), never in the URL or a description.
public struct PostgresLocation: Sendable, Hashable, CustomStringConvertible {
    /// The server's host name or address.
    public var host: String
    /// Its port.
    public var port: Int
    /// The role to log in as.
    public var username: String
    /// The database.
    public var database: String
    /// TLS to the server (`?sslmode=`): required, used when the server offers it (the default), or off.
    public enum TLSMode: String, Sendable, Hashable {
        case require, prefer, disable
    }

    /// TLS to the server; loopback and private networks may go without.
    public var tls: TLSMode

    /// Parses `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=require|disable|prefer]`.
    /// - Throws: ``ConnectorError/misconfigured(_:field:)`` naming what is wrong (a password in the URL included).
    public init(url: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw ConnectorError.misconfigured("host.store must look like postgres://USER@HOST:5432/DATABASE (got a different scheme)", field: "host.store")
        }
        guard components.password == nil else {
            throw ConnectorError.misconfigured("host.store must not carry the password: set host.store_password to a secret reference (vault:, env:, file:)",
                                               field: "host.store")
        }
        guard let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty else {
            throw ConnectorError.misconfigured("host.store needs a user and a host: postgres://USER@HOST:5432/DATABASE", field: "host.store")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else {
            throw ConnectorError.misconfigured("host.store needs a database: postgres://USER@HOST:5432/DATABASE", field: "host.store")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.database = database.removingPercentEncoding ?? database
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? TLSMode.prefer.rawValue
        guard let tls = TLSMode(rawValue: mode) else {
            throw ConnectorError.misconfigured("host.store's sslmode must be require, prefer or disable (got \(mode))", field: "host.store")
        }
        self.tls = tls
    }

    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    /// The client configuration, with the password when there is one.
    func clientConfiguration(password: Secret?) throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch self.tls {
        case .require: .require(.makeClientConfiguration())
        case .prefer: .prefer(.makeClientConfiguration())
        case .disable: .disable
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: username,
                                                         password: try password?.revealedString(), database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
