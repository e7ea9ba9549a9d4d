import CSQLite
import Foundation

/// The embedded event store: one SQLite file in WAL mode, one group-committing writer, a few readers.
public final class SQLiteEventStore: VerifiableEventStore {
    public struct Configuration: Sendable {
        /// How far a commit goes before the append returns.
        public enum Durability: String, Sendable, CaseIterable {
            /// `synchronous=FULL`: the WAL is fsynced at every commit — survives power loss. The default.
            case full
            /// `synchronous=NORMAL`: survives a process crash, may lose the last commits on power loss.
            case normal
        }

        public var durability: Durability = .full
        /// Read connections (each on its own queue).
        public var readers: Int = 3
        /// The most single appends one transaction takes.
        public var maximumBatch: Int = 1024

        public init(durability: Durability = .full, readers: Int = 3, maximumBatch: Int = 1024) {
            self.durability = durability
            self.readers = readers
            self.maximumBatch = maximumBatch
        }
    }

    public let path: String
    private let writer: AppendWriter
    private let readers: ReaderPool
    private let notifier: AppendNotifier

    /// Opens (creating and migrating if needed) the ledger at `path`.
    ///
    /// A file that is not an SQLite database is refused before anything is written to it.
    /// With `readModels` (the projections), their schema is migrated beside the log's and, when
    /// `folding`, their rows are first caught up with the log, then kept in step inside every
    /// append transaction (without: they are only read, as `ledger replay` and `verify` do).
    /// Without read models the store is the log alone (tests, benchmarks, the kill -9 reader): it
    /// then accepts migrations it does not know, which may be the read models' (see `Migrator`).
    public init(
        path: String,
        clock: any LedgerClock = SystemClock(),
        configuration: Configuration = .init(),
        readModels: (any ReadModelPort)? = nil,
        folding: Bool = true
    ) throws(EventStoreError) {
        let observer = folding ? readModels.map(SQLiteReadModels.init) : nil
        self.path = path
        try Self.checkHeader(path: path)
        do {
            let connection = try Connection(path: path)
            // A damaged file fails here, before the first write (journal_mode) touches it.
            try connection.execute("SELECT count(*) FROM sqlite_master")
            try connection.execute("PRAGMA journal_mode = WAL")
            try connection.execute("PRAGMA synchronous = \(configuration.durability == .full ? "FULL" : "NORMAL")")
            try Migrator(sqliteWith: readModels).migrate(connection, now: clock.now())
            if let observer { try Self.catchUp(observer, connection: connection) }
            // Each request of a group commit runs in a savepoint, whose journal of the pages it
            // changes spilled to a temporary file past 64 KiB and then took a write per page for
            // the rest of the transaction: 20 of the 29 `pwrite`s of a START_SESSION. In memory,
            // it is emptied at each RELEASE. Set after the migrations and the catch-up, so that
            // their sorts (an index built on a large ledger) still spill to disk.
            try connection.execute("PRAGMA temp_store = MEMORY")
            let head = try ChainHead.read(connection)
            let readConnections = try (0..<max(1, configuration.readers)).map { _ in
                let reader = try Connection(path: path)
                try reader.execute("PRAGMA query_only = ON")
                return reader
            }
            notifier = AppendNotifier(head: head.position)
            writer = AppendWriter(
                connection: connection,
                clock: clock,
                notifier: notifier,
                maximumBatch: max(1, configuration.maximumBatch),
                observer: observer
            )
            readers = ReaderPool(connections: readConnections)
        } catch let error as SQLiteError where error.isNotADatabase {
            throw .notADatabase(path: path, reason: error.message)
        } catch {
            throw .wrapping(error)
        }
    }

    /// Applies the events the read models have not seen yet (written by a store without them,
    /// or by an older binary), a page per transaction.
    private static func catchUp(_ observer: SQLiteReadModels, connection: Connection) throws {
        let database = Database(connection: connection)
        let page = try connection.cached("SELECT \(EventRow.columns) FROM events WHERE position > ? ORDER BY position LIMIT 2048")
        while true {
            let caughtUp = try connection.immediateTransaction { () throws -> Bool in
                page.bind(try observer.checkpoint(in: database), at: 1)
                let events = try page.recordedEvents()
                guard let first = events.first else { return true }
                do {
                    try observer.apply(events, in: database)
                } catch {
                    throw EventStoreError.projectionFailed(position: first.position, reason: "\(error)")
                }
                return false
            }
            if caughtUp { return }
        }
    }

    /// SQLite itself would only notice a foreign file at the first read; check the magic first so
    /// a mistyped `--db` pointing at, say, a CSV export is never touched.
    private static func checkHeader(path: String) throws(EventStoreError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }  // new file
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.isEmpty { return }
        guard header == Data("SQLite format 3\0".utf8) else {
            throw .notADatabase(path: path, reason: "no SQLite header")
        }
    }

    /// Finishes the appends already accepted, then refuses new ones.
    public func close() async {
        await writer.close()
        await readers.close()
        notifier.releaseAll()
    }

    public func append(_ request: AppendRequest) async throws(EventStoreError) -> AppendResult {
        try await writer.append(request).get()
    }

    public func appendAll(_ requests: [AppendRequest]) async throws(EventStoreError) -> [AppendResult] {
        try await writer.appendAll(requests).get()
    }

    public func readStream(_ streamId: String, fromVersion: Int64 = 1, limit: Int = .max) async throws(EventStoreError) -> [RecordedEvent] {
        try await readRows(
            "WHERE stream_id = ? AND stream_version >= ? ORDER BY stream_version LIMIT ?",
            [.text(streamId), .integer(fromVersion), .integer(Int64(limit))]
        )
    }

    public func readAll(after position: Int64, limit: Int) async throws(EventStoreError) -> [RecordedEvent] {
        try await readRows("WHERE position > ? ORDER BY position LIMIT ?", [.integer(position), .integer(Int64(limit))])
    }

    public func readPayloads(after position: Int64, limit: Int) async throws(EventStoreError) -> [StoredPayload] {
        try await readers.read { connection in
            let statement = try connection.cached(
                "SELECT position, recorded_at, type, schema_version, data FROM events WHERE position > ? ORDER BY position LIMIT ?"
            )
            statement.bind([.integer(position), .integer(Int64(limit))])
            return try statement.storedPayloads()
        }
    }

    public func read(correlationId: String, after position: Int64 = 0, limit: Int = .max) async throws(EventStoreError) -> [RecordedEvent] {
        try await readRows(
            "WHERE correlation_id = ? AND position > ? ORDER BY position LIMIT ?",
            [.text(correlationId), .integer(position), .integer(Int64(limit))]
        )
    }

    public func headPosition() async throws(EventStoreError) -> Int64 {
        try await readers.read { connection in
            try ChainHead.read(connection).position
        }
    }

    public func waitForAppend(after position: Int64) async {
        await notifier.wait(after: position)
    }

    /// Runs read-only queries on one reader connection, in one snapshot (projection tables, audits).
    public func withReadDatabase<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(EventStoreError) -> T {
        try await readers.read { connection in
            try connection.execute("BEGIN")
            defer { try? connection.execute("COMMIT") }
            return try body(Database(connection: connection))
        }
    }

    /// Checks the hash chain, position and stream-version contiguity and the append-only triggers.
    public func verify() async throws(EventStoreError) -> VerificationReport {
        var report = try await readers.read { connection in try ChainVerifier.check(connection) }
        report.triggerProblems = try await writer.withConnection { connection in
            try ChainVerifier.probeTriggers(connection)
        }.get()
        return report
    }

    private func readRows(_ clause: String, _ arguments: [SQLValue]) async throws(EventStoreError) -> [RecordedEvent] {
        let sql = "SELECT \(EventRow.columns) FROM events \(clause)"
        return try await readers.read { connection in
            let statement = try connection.cached(sql)
            statement.bind(arguments)
            return try statement.recordedEvents()
        }
    }
}
