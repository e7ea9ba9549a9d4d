import Foundation
import Ledger
import Logging
import NIOCore
import PostgresNIO

/// The event log on PostgreSQL, for a CPO that outgrows one machine: `SQLiteEventStore`'s
/// semantics — expected-version concurrency, idempotent event ids, the SHA-256 chain, append-only
/// triggers — on a database several `ledger` processes share (PostgreSQL's own replication and
/// backups, not a home-made cluster).
///
/// ## The global order
///
/// Subscribers and billing read "every event after position N", so a position must never become
/// visible before every smaller one has: an event committed late behind a larger position would
/// be skipped for ever. That is the known trap of building the order from a sequence — values
/// are taken at INSERT and commit later, in any order, and rolled-back ones leave gaps.
/// message-db accepts the gaps and readers must tolerate them; Marten runs a daemon that advances
/// a "high-water mark" only past positions old enough (3 s by default) to be presumed committed
/// or abandoned, which delays every reader and can still be fooled by a slow transaction.
///
/// This store takes the simpler guarantee SQLite gives for free: every append transaction first
/// takes one transaction-scoped advisory lock (`pg_advisory_xact_lock`), and positions are the
/// head + 1 read under it. The lock is held until COMMIT, so commit order is position order and
/// there are no gaps — a reader after N can never miss a later commit. The price is one appender
/// at a time across all instances; group commit (`PostgresAppender`) puts every request that
/// arrives meanwhile into the next transaction, which is how SQLite's single writer is fast too.
/// Each commit NOTIFYs the new head, so subscribers in every instance wake without polling.
///
/// ## The read models
///
/// Opened with `readModels` (the same port `SQLiteEventStore` takes), every append transaction
/// also folds its events into the read models (`PostgresReadModels`), and opening first folds
/// whatever they have not seen.
public final class PostgresEventStore: ProjectionStore {
    public let location: PostgresLocation
    let client: PostgresClient
    private let running: Task<Void, Never>
    /// The connections `withProjectionSnapshot` reads on, each started with the store's timeout
    /// as its `statement_timeout`: set once per connection, not in every read's transaction.
    private let reads: PostgresClient
    private let readsRunning: Task<Void, Never>
    private let appender: PostgresAppender
    private let notifier: AppendNotifier
    private let listening: Task<Void, Never>
    let logger: Logger

    /// Connects to the database at `url` (creating and migrating the log's tables, and the read
    /// models' when given, if needed). `folding` as `SQLiteEventStore.init`'s.
    public static func open(
        url: String,
        readModels: (any ReadModelPort)? = nil,
        folding: Bool = true,
        clock: any LedgerClock = SystemClock(),
        logger: Logger = quietLogger,
        timeout: Duration = .seconds(30),
        maximumBatch: Int = 1024
    )
        async throws(EventStoreError) -> PostgresEventStore
    {
        try await open(
            location: try PostgresLocation(url: url),
            readModels: readModels,
            folding: folding,
            clock: clock,
            logger: logger,
            timeout: timeout,
            maximumBatch: maximumBatch
        )
    }

    /// `timeout` bounds every operation — opening, each read, each append transaction — so a
    /// database that cannot be reached is an error, not a hang.
    public static func open(
        location: PostgresLocation,
        readModels: (any ReadModelPort)? = nil,
        folding: Bool = true,
        clock: any LedgerClock = SystemClock(),
        logger: Logger = quietLogger,
        timeout: Duration = .seconds(30),
        maximumBatch: Int = 1024
    )
        async throws(EventStoreError) -> PostgresEventStore
    {
        var configuration = location.clientConfiguration
        configuration.options.connectTimeout = PostgresLocation.connectTimeout
        // Appends take one connection at a time (they are serialized anyway), the listener one,
        // the rest is for the log's reads, catch-up and checks; the read models are read on a
        // pool of their own. Several instances and tools share the server's max_connections.
        var readsConfiguration = configuration
        configuration.options.maximumConnections = 4
        readsConfiguration.options.maximumConnections = 6
        // The server cancels a read that runs past the store's timeout, so its connection is
        // free again at once; the reader's own wait is the backstop for a server that is silent.
        readsConfiguration.options.additionalStartupParameters.append(("statement_timeout", "\(timeout.milliseconds)"))
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let running = Task { await client.run() }
        let reads = PostgresClient(configuration: readsConfiguration, backgroundLogger: logger)
        let readsRunning = Task { await reads.run() }
        let port = readModels
        let readModels = folding ? readModels.map(PostgresReadModels.init) : nil
        do {
            let head = try await withDeadline(timeout, at: location) {
                try await location.probe(logger: logger)
                try await PostgresMigrator.migrate(client, at: location, now: clock.now(), readModels: port, logger: logger)
                if let readModels { try await Self.catchUp(readModels, client, at: location, logger: logger) }
                return try await Self.head(client, at: location)
            }
            return PostgresEventStore(
                location: location,
                client: client,
                running: running,
                reads: reads,
                readsRunning: readsRunning,
                clock: clock,
                head: head,
                logger: logger,
                timeout: timeout,
                maximumBatch: maximumBatch,
                readModels: readModels
            )
        } catch {
            running.cancel()
            readsRunning.cancel()
            guard case .database(let reason) = error else { throw error }
            throw .database("cannot open the ledger at \(reason)")
        }
    }

    /// PostgresNIO's own log (connection attempts and their failures) at error level only: what
    /// matters reaches the caller as an `EventStoreError`.
    public static var quietLogger: Logger {
        var logger = Logger(label: "chargeledger.postgres")
        logger.logLevel = .error
        return logger
    }

    let timeout: Duration

    private init(
        location: PostgresLocation,
        client: PostgresClient,
        running: Task<Void, Never>,
        reads: PostgresClient,
        readsRunning: Task<Void, Never>,
        clock: any LedgerClock,
        head: Int64,
        logger: Logger,
        timeout: Duration,
        maximumBatch: Int,
        readModels: PostgresReadModels?
    ) {
        self.location = location
        self.client = client
        self.running = running
        self.reads = reads
        self.readsRunning = readsRunning
        self.logger = logger
        self.timeout = timeout
        let notifier = AppendNotifier(head: head)
        self.notifier = notifier
        appender = PostgresAppender(
            client: client,
            location: location,
            clock: clock,
            notifier: notifier,
            logger: logger,
            timeout: timeout,
            maximumBatch: max(1, maximumBatch),
            readModels: readModels
        )
        listening = Task { await Self.follow(client, at: location, notifier: notifier, logger: logger) }
    }

    /// Finishes the appends already accepted, then disconnects.
    public func close() async {
        await appender.close()
        listening.cancel()
        running.cancel()
        readsRunning.cancel()
        notifier.releaseAll()
    }

    public func append(_ request: AppendRequest) async throws(EventStoreError) -> AppendResult {
        try await appender.append(request).get()
    }

    public func appendAll(_ requests: [AppendRequest]) async throws(EventStoreError) -> [AppendResult] {
        try await appender.appendAll(requests).get()
    }

    public func readStream(_ streamId: String, fromVersion: Int64 = 1, limit: Int = .max) async throws(EventStoreError) -> [RecordedEvent] {
        try await events("WHERE stream_id = \(streamId) AND stream_version >= \(fromVersion) ORDER BY stream_version LIMIT \(Int64(limit))")
    }

    public func readAll(after position: Int64, limit: Int) async throws(EventStoreError) -> [RecordedEvent] {
        try await events("WHERE position > \(position) ORDER BY position LIMIT \(Int64(limit))")
    }

    public func read(correlationId: String, after position: Int64 = 0, limit: Int = .max) async throws(EventStoreError) -> [RecordedEvent] {
        try await events("WHERE correlation_id = \(correlationId) AND position > \(position) ORDER BY position LIMIT \(Int64(limit))")
    }

    public func headPosition() async throws(EventStoreError) -> Int64 {
        let client = client
        let location = location
        return try await withDeadline(timeout, at: location) { try await Self.head(client, at: location) }
    }

    public func waitForAppend(after position: Int64) async {
        await notifier.wait(after: position)
    }

    /// Checks the hash chain, position and stream-version contiguity (over one snapshot) and that
    /// the append-only triggers exist and refuse writes.
    public func verify() async throws(EventStoreError) -> VerificationReport {
        do {
            var report = try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                var check = ChainCheck()
                let rows = try await connection.query("SELECT \(unescaped: EventRow.columns) FROM events ORDER BY position", logger: logger)
                for try await columns in rows.decode(EventRow.PostgresColumns.self) { check.visit(EventRow(columns)) }
                var report = check.report
                let gaps = try await connection.query(PostgresQuery(unsafeSQL: ChainCheck.streamVersionGapSQL), logger: logger)
                for try await position in gaps.decode(Int64.self) { report.firstStreamVersionGap = position }
                return report
            }
            report.triggerProblems = try await triggerProblems()
            return report
        } catch {
            throw .postgres(error, at: location)
        }
    }

    static let triggers = ["events_are_append_only_update", "events_are_append_only_delete", "events_are_append_only_truncate"]

    /// Missing triggers, and writes they did not refuse — probed in transactions always rolled back.
    private func triggerProblems() async throws -> [String] {
        var present: Set<String> = []
        for try await name in try await client.query(
            "SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'events'::regclass AND NOT tgisinternal",
            logger: logger
        ).decode(String.self) {
            present.insert(name)
        }
        var problems = Self.triggers.filter { !present.contains($0) }
            .map { "trigger \($0) is missing: the log is not protected against edits" }
        let probes: [(String, PostgresQuery)] = [
            ("UPDATE", "UPDATE events SET type = type WHERE position = (SELECT min(position) FROM events) RETURNING position"),
            ("DELETE", "DELETE FROM events WHERE position = (SELECT min(position) FROM events) RETURNING position"),
        ]
        for (verb, probe) in probes {
            let changed = try await client.withConnection { connection -> Bool in
                try await connection.query("BEGIN", logger: logger)
                let rows = try? await connection.query(probe, logger: logger).collect()  // refused: nil
                try await connection.query("ROLLBACK", logger: logger)
                return !(rows?.isEmpty ?? true)
            }
            if changed { problems.append("an \(verb) on events was not refused: restore the append-only triggers (migrations/postgres/0001)") }
        }
        return problems
    }

    /// Runs `body` on one snapshot of the tables. `body` runs on a dispatch thread of its own
    /// and waits there for each query (`PostgresSnapshotReader`): the read code both stores share
    /// is synchronous, and no cooperative thread or event loop is blocked.
    ///
    /// Most reads are one statement, which PostgreSQL runs on a snapshot of its own: `body` is
    /// first given a reader that runs one statement alone, one round trip where a transaction
    /// took five (BEGIN, its isolation, its timeout, the query, COMMIT — half of the statements an
    /// instance sent in a charger storm, where half of its CPU went to PostgresNIO's round trips). A
    /// `body` that reads twice is run again, whole, in a REPEATABLE READ, read-only transaction.
    public func withProjectionSnapshot<T: Sendable>(_ body: @escaping @Sendable (any ProjectionReading) throws -> T) async throws -> T {
        let reads = reads
        let logger = logger
        let location = location
        let timeout = timeout
        return try await withDeadline(timeout, at: location) {
            // The connection first, then a thread: a read waiting for a connection must not hold
            // a dispatch thread (the cooperative pool runs on the same threads; with thousands of
            // reads waiting the queries themselves could not run).
            try await reads.withConnection { connection in
                let reader = { (alone: Bool) in
                    PostgresSnapshotReader(connection: connection, alone: alone, location: location, logger: logger, timeout: timeout + .seconds(1))
                }
                let alone = reader(true)
                let first = await Self.onThread { try body(alone) }
                if !alone.readAgain { return try first.get() }
                try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                let inTransaction = reader(false)
                let result = await Self.onThread { try body(inTransaction) }
                // Read only: ending it either way changes nothing; ROLLBACK also ends one a failed query aborted.
                if case .success = result {
                    try await connection.query("COMMIT", logger: logger)
                } else {
                    try await connection.query("ROLLBACK", logger: logger)
                }
                return try result.get()
            }
        }
    }

    /// Runs synchronous read code on a dispatch thread.
    private static func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async -> Result<T, any Error> {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: Result { try work() }) }
        }
    }

    /// Folds the events the read models have not seen (appended by a store opened without them,
    /// as `ledger import --log-only` does, or by an older binary), a page per transaction. Each
    /// holds the append lock, so no append commits between reading a page and folding it.
    private static func catchUp(
        _ readModels: PostgresReadModels,
        _ client: PostgresClient,
        at location: PostgresLocation,
        logger: Logger
    ) async throws {
        while true {
            let caughtUp = try await client.withTransaction(logger: logger) { connection -> Bool in
                try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresAppender.lock))", logger: logger)
                let rows = try await connection.query(
                    """
                    SELECT \(unescaped: EventRow.columns) FROM events
                    WHERE position > (SELECT min(position) FROM \(unescaped: readModels.port.checkpointTable)) ORDER BY position LIMIT 2048
                    """,
                    logger: logger
                )
                var events: [RecordedEvent] = []
                for try await columns in rows.decode(EventRow.PostgresColumns.self) { events.append(try EventRow(columns).decoded()) }
                guard let first = events.first else { return true }
                // An event the catalogue cannot read is named by its own position (`admit`).
                let decoded = try readModels.admit(events, payloads: [])
                do {
                    try await readModels.apply([decoded], on: connection, logger: logger)
                } catch {
                    throw EventStoreError.projectionFailed(position: first.position, reason: "\(error)")
                }
                return false
            }
            if caughtUp { return }
        }
    }

    private func events(_ clause: PostgresQuery) async throws(EventStoreError) -> [RecordedEvent] {
        var query: PostgresQuery = "SELECT \(unescaped: EventRow.columns) FROM events "
        query.sql += clause.sql
        query.binds = clause.binds
        let client = client
        let logger = logger
        let statement = query
        return try await withDeadline(timeout, at: location) {
            var events: [RecordedEvent] = []
            for try await columns in try await client.query(statement, logger: logger).decode(EventRow.PostgresColumns.self) {
                events.append(try EventRow(columns).decoded())
            }
            return events
        }
    }

    private static func head(_ client: PostgresClient, at location: PostgresLocation) async throws(EventStoreError) -> Int64 {
        do {
            var head: Int64 = 0
            for try await position in try await client.query("SELECT coalesce(max(position), 0) FROM events").decode(Int64.self) { head = position }
            return head
        } catch {
            throw .postgres(error, at: location)
        }
    }

    /// Follows the commits of every instance (LISTEN), so `waitForAppend` wakes for them too;
    /// reconnects after a failure, catching up on the head it may have missed meanwhile.
    private static func follow(_ client: PostgresClient, at location: PostgresLocation, notifier: AppendNotifier, logger: Logger) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: PostgresAppender.channel) { notifications in
                        notifier.advance(to: try await head(client, at: location))
                        for try await notification in notifications {
                            if let position = Int64(notification.payload) { notifier.advance(to: position) }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("listening for appends on \(location) failed, again in 1 s: \(error)")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
