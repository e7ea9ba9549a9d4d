import Foundation
import Ledger
import Logging
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL ledger lives: a `postgres://user:password@host:port/database` URL, as
/// `--db` takes it. `?sslmode=require` asks for TLS; without it the connection is plain (a
/// database on the same host or a private network, as the deployment notes say).
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let username: String
    let password: String?
    public let database: String
    public let requireTLS: Bool

    /// Whether `--db` names a PostgreSQL database rather than a SQLite file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(url text: String) throws(EventStoreError) {
        guard Self.isURL(text), let url = URLComponents(string: text), let host = url.host, !host.isEmpty,
            let user = url.user, !user.isEmpty
        else {
            throw .database("--db \(Self.redacted(text)) is not a PostgreSQL URL: write postgres://user:password@host:5432/database")
        }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw .database("--db \(Self.redacted(text)) names no database: add /<database> to the URL") }
        self.host = host
        port = url.port ?? 5432
        username = user.removingPercentEncoding ?? user
        password = url.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        requireTLS = url.queryItems?.contains { $0.name == "sslmode" && $0.value == "require" } ?? false
    }

    /// The same server, another database (tests make a fresh one per store).
    public func with(database: String) -> PostgresLocation {
        PostgresLocation(host: host, port: port, username: username, password: password, database: database, requireTLS: requireTLS)
    }

    private init(host: String, port: Int, username: String, password: String?, database: String, requireTLS: Bool) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.requireTLS = requireTLS
    }

    /// The URL with its password, as given: for a child process's `--db`; never log it.
    public var connectionURL: String {
        let credentials = password.map { "\(username):\($0)" } ?? username
        let escaped = credentials.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.union([":"])) ?? credentials
        return "postgres://\(escaped)@\(host):\(port)/\(database)\(requireTLS ? "?sslmode=require" : "")"
    }

    /// The URL without its password: what messages and logs show.
    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    /// How PostgresNIO reaches it (tests use it to create and drop scratch databases).
    public var clientConfiguration: PostgresClient.Configuration {
        PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: requireTLS ? .require(.makeClientConfiguration()) : .disable
        )
    }

    /// How long one connection may take, its session start-up on the server included: PostgresNIO's
    /// default. 5 s was too short for a server starting dozens of sessions at once on two busy
    /// cores (CI: 3 of 173 tests). Opening a store is bounded by its own timeout all the same.
    static let connectTimeout: Duration = .seconds(10)

    /// Whether the server answers at all, in one connection attempt: the pool behind
    /// `PostgresClient` retries a refused connection for ever, so opening a store asks this
    /// first, and a wrong port or a stopped server is an error at once, not after the timeout.
    func probe(logger: Logger) async throws {
        var configuration = PostgresConnection.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: requireTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
        )
        configuration.options.connectTimeout = TimeAmount(Self.connectTimeout)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        try await connection.close()
    }

    /// `text` with any password replaced, for a message about a URL that did not parse.
    static func redacted(_ text: String) -> String {
        text.replacing(/:\/\/([^:@\/]*):[^@\/]*@/) { "://\($0.1):***@" }
    }
}
