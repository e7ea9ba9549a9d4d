import Dispatch
import Ledger
import Logging
import PostgresNIO
import Synchronization

/// `ProjectionReading` on PostgreSQL, for read code that is synchronous (the audit, the billing
/// export, dumps, the server's reads; see `PostgresEventStore.withProjectionSnapshot`): each
/// query runs as a task and the calling thread — a dispatch thread, never a cooperative one or an
/// event loop — waits for its rows, at most `timeout` per query (the deadline around the snapshot
/// cannot interrupt a thread that waits).
///
/// A reader made `alone` runs one statement outside any transaction — a snapshot by itself — and
/// throws `ReadAgainInTransaction` at a second: its caller then runs the whole read again in a
/// REPEATABLE READ transaction, with a reader that is not alone.
final class PostgresSnapshotReader: ProjectionReading, Sendable {
    /// What a reader made `alone` throws at a second query.
    struct ReadAgainInTransaction: Error {}

    private let connection: PostgresConnection
    private let alone: Bool
    private let location: PostgresLocation
    private let logger: Logger
    private let timeout: Duration
    private let queries = Mutex(0)

    init(connection: PostgresConnection, alone: Bool, location: PostgresLocation, logger: Logger, timeout: Duration) {
        self.connection = connection
        self.alone = alone
        self.location = location
        self.logger = logger
        self.timeout = timeout
    }

    /// A reader made `alone` was asked for more than one query: what the read returned does not
    /// count, whether or not the read code let the error through.
    var readAgain: Bool {
        alone && queries.withLock { $0 } > 1
    }

    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
        if alone {
            let count = queries.withLock { count in
                count += 1
                return count
            }
            if count > 1 { throw ReadAgainInTransaction() }
        }
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments { bindings.append(argument) }
        let query = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: bindings)
        let pending = Pending()
        let task = Task { [connection, logger] in
            do {
                var rows: [[SQLValue]] = []
                for try await row in try await connection.query(query, logger: logger) { rows.append(try row.sqlValues()) }
                pending.finish(.success(rows))
            } catch {
                pending.finish(.failure(error))
            }
        }
        guard let outcome = pending.wait(upTo: timeout) else {
            task.cancel()
            throw EventStoreError.database("\(location) did not answer within \(timeout): is the server up and reachable?")
        }
        do { return try outcome.get() } catch { throw EventStoreError.postgres(error, at: location) }
    }

    /// `?` placeholders numbered `$1`, `$2`… as PostgreSQL wants them (not inside quoted text).
    static func numbered(_ sql: String) -> String {
        var numbered = ""
        var count = 0
        var quoted = false
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

        /// The outcome, or `nil` if it did not come within `limit`.
        func wait(upTo limit: Duration) -> Result<[[SQLValue]], any Error>? {
            guard done.wait(timeout: .now() + .nanoseconds(Int(limit.nanoseconds))) == .success else { return nil }
            return outcome
        }
    }
}
