import Foundation
import Ledger
import Logging
import PostgresNIO

/// The appends of one process, group-committed: requests that arrive while a transaction is
/// being committed go into the next one together, and each caller is answered after its COMMIT.
///
/// Every transaction first takes the log's advisory lock, so appends from every instance on the
/// database are serialized — the global order's guarantee (see `PostgresEventStore`).
actor PostgresAppender {
    typealias Reply<T> = CheckedContinuation<Result<T, EventStoreError>, Never>

    private enum Job {
        case one(AppendRequest, Reply<AppendResult>)
        case all([AppendRequest], Reply<[AppendResult]>)
    }

    /// `pg_advisory_xact_lock` key of appends ("chlgappd").
    static let lock: Int64 = 0x6368_6c67_6170_7064
    /// The channel every commit notifies with the new head, so other instances' subscribers wake.
    static let channel = "chargeledger_events"

    private let client: PostgresClient
    private let location: PostgresLocation
    private let clock: any LedgerClock
    private let notifier: AppendNotifier
    private let logger: Logger
    private let timeout: Duration
    private let maximumBatch: Int
    private let readModels: PostgresReadModels?
    private var jobs: [Job] = []
    private var draining = false
    private var closed = false
    /// `close()` calls waiting for the batches under way to be answered.
    private var closing: [CheckedContinuation<Void, Never>] = []

    init(
        client: PostgresClient,
        location: PostgresLocation,
        clock: any LedgerClock,
        notifier: AppendNotifier,
        logger: Logger,
        timeout: Duration,
        maximumBatch: Int,
        readModels: PostgresReadModels?
    ) {
        self.timeout = timeout
        self.readModels = readModels
        self.client = client
        self.location = location
        self.clock = clock
        self.notifier = notifier
        self.logger = logger
        self.maximumBatch = maximumBatch
    }

    func append(_ request: AppendRequest) async -> Result<AppendResult, EventStoreError> {
        await withCheckedContinuation { submit(.one(request, $0)) }
    }

    func appendAll(_ requests: [AppendRequest]) async -> Result<[AppendResult], EventStoreError> {
        await withCheckedContinuation { submit(.all(requests, $0)) }
    }

    /// Refuses new requests, and returns once the ones accepted are answered.
    func close() async {
        closed = true
        guard draining else { return }
        await withCheckedContinuation { closing.append($0) }
    }

    private func submit(_ job: Job) {
        guard !closed else {
            switch job {
            case .one(_, let reply): reply.resume(returning: .failure(.closed))
            case .all(_, let reply): reply.resume(returning: .failure(.closed))
            }
            return
        }
        jobs.append(job)
        guard !draining else { return }
        draining = true
        Task { await drain() }
    }

    /// Commits what is queued, a batch per transaction; while one commits, the next batch gathers.
    private func drain() async {
        while !jobs.isEmpty {
            let batch = jobs.prefix(maximumBatch)
            jobs.removeFirst(batch.count)
            var singles: [(AppendRequest, Reply<AppendResult>)] = []
            for job in batch {
                switch job {
                case .one(let request, let reply):
                    singles.append((request, reply))
                case .all(let requests, let reply):
                    await commitSingles(singles)
                    singles.removeAll()
                    reply.resume(returning: await commitAll(requests))
                }
            }
            await commitSingles(singles)
        }
        draining = false
        for waiter in closing { waiter.resume() }
        closing.removeAll()
    }

    private func commitSingles(_ singles: [(AppendRequest, Reply<AppendResult>)]) async {
        guard !singles.isEmpty else { return }
        let requests = singles.map(\.0)
        let committed = await transaction(requests) { (log: inout BatchLog) throws(EventStoreError) -> [Result<AppendResult, EventStoreError>] in
            // A refused request is left out (every check comes before its rows); the others go on.
            requests.map { request in Result { () throws(EventStoreError) in try log.append(request) } }
        }
        for (index, (_, reply)) in singles.enumerated() {
            reply.resume(returning: committed.flatMap { $0[index] })
        }
    }

    private func commitAll(_ requests: [AppendRequest]) async -> Result<[AppendResult], EventStoreError> {
        await transaction(requests) { (log: inout BatchLog) throws(EventStoreError) -> [AppendResult] in
            var results: [AppendResult] = []
            for (index, request) in requests.enumerated() {
                do throws(EventStoreError) { results.append(try log.append(request)) } catch {
                    throw .batchRejected(index: index, reason: error)
                }
            }
            return results
        }
    }

    /// One transaction under the append lock, within the store's timeout: what `requests` need
    /// is read, `decide` appends them to the batch in memory, the new rows are inserted in one
    /// statement and folded into the read models. Timed out, the callers get an error even if the COMMIT did land: a retry
    /// with the same event ids is then answered with the original positions.
    private func transaction<T: Sendable>(
        _ requests: [AppendRequest],
        _ decide: @escaping @Sendable (inout BatchLog) throws(EventStoreError) -> T
    ) async -> Result<T, EventStoreError> {
        let now = clock.now()
        let client = client
        let location = location
        let logger = logger
        let readModels = readModels
        let idleLimit = String(timeout.milliseconds)
        do {
            let (head, value) = try await withDeadline(timeout, at: location) { () async throws -> (Int64, T) in
                try await client.withTransaction(logger: logger) { connection -> (Int64, T) in
                    // The server ends this transaction itself if this side goes silent in it
                    // (`withDeadline` gives up on it, the network is cut): the lock it holds
                    // must not stop every other instance's appends for longer than the timeout.
                    try await connection.query(
                        """
                        SELECT pg_advisory_xact_lock(\(Self.lock)), set_config('idle_in_transaction_session_timeout', \(idleLimit), true)
                        """,
                        logger: logger
                    )
                    var log = try await BatchLog.read(for: requests, on: connection, now: now, admit: readModels?.admit, logger: logger)
                    let value = try decide(&log)
                    try await log.insert(on: connection, logger: logger)
                    try await readModels?.apply(log.decoded, on: connection, logger: logger)
                    try await connection.query("SELECT pg_notify(\(Self.channel), \(String(log.head.position)))", logger: logger)
                    return (log.head.position, value)
                }
            }
            notifier.advance(to: head)
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}

/// The log inside one append transaction, with the append lock held: no other writer can move
/// the head or a stream's version until COMMIT.
///
/// It reads once what the batch's checks need — the head, the versions of the streams it names,
/// the rows already stored under its event ids — decides every request in memory, as the SQLite
/// writer does row by row, and inserts all new rows in one statement: a transaction costs the
/// same few round trips however many requests group commit put in it.
struct BatchLog {
    private(set) var head: ChainHead
    private let now: Timestamp
    /// Last version per stream named in the batch (0: no stream), moved on by each append.
    private var versions: [String: Int64]
    /// Rows under the batch's event ids: stored before, or appended by an earlier request.
    private var stored: [String: EventRow]
    /// Decodes each request's events before they join the batch, refusing what the read models
    /// cannot read.
    private let admit: (@Sendable ([RecordedEvent], [(any Sendable)?]) throws(EventStoreError) -> AdmittedEvents)?
    private var rows: [EventRow] = []
    /// The new rows as the read models fold them (empty without read models).
    private(set) var decoded: [AdmittedEvents] = []

    static func read(
        for requests: [AppendRequest],
        on connection: PostgresConnection,
        now: Timestamp,
        admit: (@Sendable ([RecordedEvent], [(any Sendable)?]) throws(EventStoreError) -> AdmittedEvents)?,
        logger: Logger
    ) async throws -> BatchLog {
        var head = ChainHead.empty
        let heads = try await connection.query("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1", logger: logger)
        for try await (position, hash) in heads.decode((Int64, ByteBuffer).self) { head = ChainHead(position: position, hash: Array(buffer: hash)) }
        // A stream id PostgreSQL cannot hold (a NUL) is refused by `append`; it must not fail the query.
        let streams = Array(Set(requests.map(\.streamId))).filter { !$0.contains("\u{0}") }
        var versions = Dictionary(uniqueKeysWithValues: streams.map { ($0, Int64(0)) })
        let stored = try await connection.query(
            "SELECT stream_id, max(stream_version) FROM events WHERE stream_id = ANY(\(streams)) GROUP BY stream_id",
            logger: logger
        )
        for try await (stream, version) in stored.decode((String, Int64).self) { versions[stream] = version }
        var rows: [String: EventRow] = [:]
        let ids = requests.flatMap { $0.events.map(\.eventId.lowercasedString) }
        let found = try await connection.query("SELECT \(unescaped: EventRow.columns) FROM events WHERE event_id = ANY(\(ids))", logger: logger)
        for try await columns in found.decode(EventRow.PostgresColumns.self) {
            let row = EventRow(columns)
            rows[row.eventId] = row
        }
        return BatchLog(head: head, now: now, versions: versions, stored: rows, admit: admit)
    }

    /// Appends one request to the batch, or explains why not — having added nothing.
    mutating func append(_ request: AppendRequest) throws(EventStoreError) -> AppendResult {
        try request.validate()
        guard !request.streamId.contains("\u{0}") else {
            throw .invalidEvent("a stream id with a NUL character cannot be stored in PostgreSQL text")
        }
        let known = versions[request.streamId] ?? 0
        let current = known == 0 ? nil : known
        let retried = try request.retriedResult(stored: request.events.map { stored[$0.eventId.lowercasedString] })
        guard request.expectedVersion.isSatisfied(by: current) else {
            if let retried { return retried }
            throw .wrongExpectedVersion(streamId: request.streamId, expected: request.expectedVersion, actual: current)
        }
        if let retried { return retried }
        var version = known
        var head = self.head
        var new: [EventRow] = []
        var events: [RecordedEvent] = []
        for event in request.events {
            version += 1
            let row = head.chain(event, streamId: request.streamId, version: version, now: now)
            new.append(row)
            events.append(RecordedEvent(row, of: event, now: now))
        }
        if let admit { decoded.append(try admit(events, request.events.map(\.payload))) }
        self.head = head
        for row in new { stored[row.eventId] = row }
        rows += new
        versions[request.streamId] = version
        return AppendResult(positions: new.map(\.position), streamVersion: version, wasAlreadyStored: false)
    }

    /// Inserts the batch's new rows, in one statement.
    func insert(on connection: PostgresConnection, logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO events (position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, hash)
            SELECT * FROM unnest(\(rows.map(\.position))::bigint[], \(rows.map(\.streamId))::text[], \(rows.map(\.streamVersion))::bigint[],
                                 \(rows.map(\.eventId))::text[], \(rows.map(\.type))::text[], \(rows.map { Int32($0.schemaVersion) })::integer[],
                                 \(rows.map(\.data))::text[], \(rows.map(\.metadata))::text[], \(rows.map(\.recordedAt))::text[],
                                 \(rows.map { ByteBuffer(bytes: $0.hash) })::bytea[])
            """,
            logger: logger
        )
    }
}

extension EventRow {
    /// `EventRow.columns` as PostgresNIO decodes them.
    typealias PostgresColumns = (Int64, String, Int64, String, String, Int32, String, String, String, ByteBuffer)

    init(_ columns: PostgresColumns) {
        self.init(
            position: columns.0,
            streamId: columns.1,
            streamVersion: columns.2,
            eventId: columns.3,
            type: columns.4,
            schemaVersion: Int(columns.5),
            data: columns.6,
            metadata: columns.7,
            recordedAt: columns.8,
            hash: Array(buffer: columns.9)
        )
    }
}
