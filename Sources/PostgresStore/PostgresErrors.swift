import Ledger
import PostgresNIO

extension EventStoreError {
    /// What PostgreSQL (or the way to it) said, as the store's error: one sentence that says what
    /// to do for the failures an operator meets when pointing `--db` somewhere (a wrong password,
    /// no such database, no server there, TLS demanded or missing), the server's own message and
    /// SQLSTATE otherwise. Never the password: `location` prints without it.
    static func postgres(_ error: any Error, at location: PostgresLocation) -> EventStoreError {
        switch error {
        case let error as EventStoreError:
            return error
        case let error as PSQLError:
            if let advice = advice(for: error, at: location) { return .database("\(location): \(advice)") }
            if let message = error.serverInfo?[.message] {
                return .database("\(location): \(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))")
            }
            return .database("\(location): \(error.code)\(error.underlying.map { ": \(String(describing: $0).prefix(300))" } ?? "")")
        case let error as PostgresTransactionError:
            return .postgres(error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError ?? error, at: location)
        default:
            return .database("\(location): \(error)")
        }
    }

    /// The failures of reaching and logging in, each with what to do about it; `nil` for the rest.
    private static func advice(for error: PSQLError, at location: PostgresLocation) -> String? {
        let message = error.serverInfo?[.message] ?? ""
        switch (error.code, error.serverInfo?[.sqlState]) {
        case (.server, "28P01"):
            return "the server refused the password of user \(location.username): check the password in the URL"
        case (.server, "28000") where message.contains("no encryption") || message.contains("SSL off"):
            return "the server accepts this user only over TLS: add ?sslmode=require to the URL"
        case (.server, "28000"):
            return "the server does not let user \(location.username) in (\(message)): check the user, and the server's pg_hba.conf"
        case (.server, "3D000"):
            return
                "database \(location.database) does not exist on the server: create it (createdb -O \(location.username) \(location.database)) or fix the URL"
        case (.server, "57P03"):
            return "the server is starting up or shutting down: try again in a moment"
        case (.authMechanismRequiresPassword, _):
            return
                "the server asks for a password and the URL has none: write postgres://\(location.username):PASSWORD@\(location.host):\(location.port)/\(location.database)"
        case (.sslUnsupported, _):
            return "the URL asks for TLS (sslmode=require) but the server does not offer it: enable ssl on the server, or drop sslmode=require"
        case (.connectionError, _):
            let detail = error.underlying.map { String(describing: $0) } ?? ""
            let reason =
                if detail.contains("Connection refused") {
                    "connection refused"
                } else if detail.contains("timed out") || detail.contains("Timeout") || detail.contains("timeout") {
                    "no answer in time"
                } else if detail.isEmpty { "no answer" } else { String(detail.prefix(200)) }
            return "cannot reach a PostgreSQL server at \(location.host):\(location.port) (\(reason)): is it running and listening there?"
        default:
            return nil
        }
    }
}
