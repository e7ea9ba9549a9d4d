import Dispatch
import Ledger
import Logging
import PostgresNIO
import Projections

/// `ProjectionReading` on the connection of an open PostgreSQL transaction, for read code that
/// is synchronous (the audit, the billing export, dumps): each query runs as a task on the
/// connection and the calling thread — a dispatch thread, never a cooperative one or an event
/// loop (`PostgresEventStore.withProjectionSnapshot`) — waits for its rows.
final class PostgresSnapshotReader: ProjectionReading, Sendable {
    private let connection: PostgresConnection
    private let location: PostgresLocation
    private let logger: Logger

    init(connection: PostgresConnection, location: PostgresLocation, logger: Logger) {
        self.connection = connection
        self.location = location
        self.logger = logger
    }

    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments { bindings.append(argument) }
        let query = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: bindings)
        let pending = Pending()
        Task { [connection, logger] in
            do {
                var rows: [[SQLValue]] = []
                for try await row in try await connection.query(query, logger: logger) { rows.append(try row.sqlValues()) }
                pending.finish(.success(rows))
            } catch {
                pending.finish(.failure(error))
            }
        }
        do { return try pending.wait() } catch { throw EventStoreError.postgres(error, at: location) }
    }

    /// `?` placeholders numbered `$1`, `$2`… as PostgreSQL wants them (not inside quoted text).
    static func numbered(_ sql: String) -> String {
        var numbered = "", count = 0, quoted = false
        for character in sql {
            if character == "'" { quoted.toggle() }
            if character == "?" && !quoted {
                count += 1
                numbered += "$\(count)"
            } else {
                numbered.append(character)
            }
        }
        return numbered
    }

    /// One query's outcome, handed from its task to the waiting thread.
    private final class Pending: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        /// Written once before `done` is signalled, read only after waiting for it.
        private var outcome: Result<[[SQLValue]], any Error>?

        func finish(_ outcome: Result<[[SQLValue]], any Error>) {
            self.outcome = outcome
            done.signal()
        }

        func wait() throws -> [[SQLValue]] {
            done.wait()
            return try outcome!.get()
        }
    }
}
