import Ledger
import Logging
import PostgresNIO

/// One `ledger serve` per PostgreSQL ledger, held for the life of the server — PostgreSQL's
/// counterpart of `InstanceLock`. Until instances share the timers, the outbox and the charger
/// connections, two servers on one database would both send every result and CDR.
///
/// A session-level advisory lock on a connection of its own: PostgreSQL releases it when that
/// connection ends, so a server killed with -9 never leaves a stale lock behind.
public final class PostgresServeLock: Sendable {
    /// `pg_try_advisory_lock` key of a serving instance ("chlgserv").
    static let key: Int64 = 0x6368_6c67_7365_7276
    private let holding: Task<Void, Never>

    /// Takes the lock, or explains that another server holds it.
    public static func acquire(at location: PostgresLocation, logger: Logger = PostgresEventStore.quietLogger)
        async throws(EventStoreError) -> PostgresServeLock
    {
        var configuration = location.clientConfiguration
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let (outcomes, report) = AsyncStream.makeStream(of: Result<Bool, any Error>.self)
        let holding = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await client.run() }
                do {
                    try await client.withConnection { connection in
                        var taken = false
                        for try await value in try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: logger).decode(Bool.self) {
                            taken = value
                        }
                        report.yield(.success(taken))
                        // Held until the server stops (cancellation) or the process ends.
                        if taken { while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) } }
                    }
                } catch {
                    report.yield(.failure(error))
                }
                group.cancelAll()
            }
        }
        var iterator = outcomes.makeAsyncIterator()
        let outcome = await withTaskCancellationHandler { await iterator.next() } onCancel: { holding.cancel() }
        switch outcome {
        case .success(true):
            return PostgresServeLock(holding: holding)
        case .success(false):
            holding.cancel()
            throw .database("\(location) is already served by another `ledger serve` (several instances on one PostgreSQL ledger are not supported yet): stop it, or use another --db")
        case .failure(let error):
            holding.cancel()
            throw .postgres(error, at: location)
        case nil:
            holding.cancel()
            throw .closed
        }
    }

    private init(holding: Task<Void, Never>) {
        self.holding = holding
    }

    /// Lets go of the lock (closing its connection).
    public func release() async {
        holding.cancel()
        await holding.value
    }
}
