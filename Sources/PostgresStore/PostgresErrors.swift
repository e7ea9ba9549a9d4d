import Ledger
import PostgresNIO

extension EventStoreError {
    /// What PostgreSQL (or the way to it) said, as the store's error: the server's own message
    /// and SQLSTATE when it answered, the connection failure when it did not.
    static func postgres(_ error: any Error, at location: PostgresLocation) -> EventStoreError {
        switch error {
        case let error as EventStoreError:
            return error
        case let error as PSQLError:
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
}
