import Dispatch
import Foundation
import Synchronization

/// The single writer: turns concurrent append requests into group commits.
///
/// Requests queue up while a transaction is being made durable; the next transaction takes all of
/// them at once (up to `maximumBatch`), so one fsync acknowledges many callers. Each caller is
/// resumed only after its transaction's `COMMIT` returned, which with `synchronous=FULL` means the
/// WAL is on disk: nothing acknowledged can be lost to kill -9 or power loss.
///
/// The connection and chain head are confined to `queue` (hence `@unchecked Sendable`); the
/// request list is shared and guarded by a `Mutex`.
final class AppendWriter: @unchecked Sendable {
    typealias Reply<T> = CheckedContinuation<Result<T, EventStoreError>, Never>

    private enum Job {
        case one(AppendRequest, Reply<AppendResult>)
        case all([AppendRequest], Reply<[AppendResult]>)
    }

    private struct Pending {
        var jobs: [Job] = []
        var draining = false
        var closed = false
    }

    private let queue = DispatchQueue(label: "chargeledger.ledger.writer")
    private let pending = Mutex(Pending())
    private let connection: Connection
    private let clock: any LedgerClock
    private let notifier: AppendNotifier
    private let maximumBatch: Int
    private let observer: SQLiteReadModels?
    private let database: Database
    /// What the writer knows of the log between transactions, so that an append does not have to
    /// query it: valid only while `PRAGMA data_version` says no other connection has committed.
    private var known: KnownState?
    /// Where the read models stand within the open transaction (`SQLiteReadModels.apply`): `nil`
    /// until its first request folds, written once before its `COMMIT`.
    private var readModelCheckpoints: [String: Int64]?

    private struct KnownState {
        var dataVersion: Int64
        var head: ChainHead
        /// Last version per stream (0: no stream), as far as this writer has looked or written.
        var streamVersions: [String: Int64] = [:]
        /// Beyond this, forget and re-read: memory stays bounded however many streams there are.
        static let maximumStreams = 65_536
    }

    init(
        connection: Connection,
        clock: any LedgerClock,
        notifier: AppendNotifier,
        maximumBatch: Int,
        observer: SQLiteReadModels?
    ) {
        self.connection = connection
        self.database = Database(connection: connection)
        self.observer = observer
        self.clock = clock
        self.notifier = notifier
        self.maximumBatch = maximumBatch
    }

    func append(_ request: AppendRequest) async -> Result<AppendResult, EventStoreError> {
        await withCheckedContinuation { submit(.one(request, $0)) }
    }

    func appendAll(_ requests: [AppendRequest]) async -> Result<[AppendResult], EventStoreError> {
        await withCheckedContinuation { submit(.all(requests, $0)) }
    }

    /// Runs `body` on the writer's connection between batches (verification's trigger probe).
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async -> Result<T, EventStoreError> {
        if pending.withLock({ $0.closed }) { return .failure(.closed) }
        return await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { try body(self.connection) }.mapError(EventStoreError.wrapping))
            }
        }
    }

    /// Refuses new requests, answers every accepted one, then closes the connection.
    func close() async {
        pending.withLock { $0.closed = true }
        await withCheckedContinuation { continuation in
            queue.async {
                self.connection.close()
                continuation.resume()
            }
        }
    }

    private func submit(_ job: Job) {
        let action = pending.withLock { state -> (schedule: Bool, refuse: Bool) in
            if state.closed { return (false, true) }
            state.jobs.append(job)
            if state.draining { return (false, false) }
            state.draining = true
            return (true, false)
        }
        if action.refuse {
            switch job {
            case .one(_, let reply): reply.resume(returning: .failure(.closed))
            case .all(_, let reply): reply.resume(returning: .failure(.closed))
            }
        } else if action.schedule {
            queue.async { self.drain() }
        }
    }

    private func drain() {
        while true {
            let jobs = pending.withLock { state -> ArraySlice<Job> in
                let taken = state.jobs.prefix(maximumBatch)
                state.jobs.removeFirst(taken.count)
                if taken.isEmpty { state.draining = false }
                return taken
            }
            if jobs.isEmpty { return }
            // Single appends share a transaction; an all-or-nothing batch gets one of its own.
            var singles: [(AppendRequest, Reply<AppendResult>)] = []
            for job in jobs {
                switch job {
                case .one(let request, let reply):
                    singles.append((request, reply))
                case .all(let requests, let reply):
                    commitSingles(singles)
                    singles.removeAll()
                    reply.resume(returning: commitAll(requests))
                }
            }
            commitSingles(singles)
        }
    }

    private func commitSingles(_ singles: [(AppendRequest, Reply<AppendResult>)]) {
        guard !singles.isEmpty else { return }
        var results: [Result<AppendResult, EventStoreError>] = []
        results.reserveCapacity(singles.count)
        let committed = transaction { (head: inout ChainHead, now: Timestamp) throws(EventStoreError) in
            for (request, _) in singles {
                do {
                    results.append(.success(try apply(request, head: &head, now: now)))
                } catch let error as EventStoreError {
                    // A storage failure aborts the whole transaction; anything else refuses one request.
                    if case .storage = error { throw error }
                    results.append(.failure(error))
                } catch {
                    throw .wrapping(error)
                }
            }
        }
        for (index, (_, reply)) in singles.enumerated() {
            switch committed {
            case .success: reply.resume(returning: results[index])
            case .failure(let error): reply.resume(returning: .failure(error))
            }
        }
    }

    private func commitAll(_ requests: [AppendRequest]) -> Result<[AppendResult], EventStoreError> {
        var results: [AppendResult] = []
        return transaction { (head: inout ChainHead, now: Timestamp) throws(EventStoreError) in
            for (index, request) in requests.enumerated() {
                do {
                    results.append(try apply(request, head: &head, now: now))
                } catch let error as EventStoreError {
                    if case .storage = error { throw error }
                    throw .batchRejected(index: index, reason: error)
                } catch {
                    throw .wrapping(error)
                }
            }
        }.map { results }
    }

    /// One durable transaction. If another connection committed since the last one (an import
    /// while `serve` runs), the chain head and stream versions are re-read inside the write lock,
    /// so its events are chained onto, never overwritten.
    private func transaction(
        _ body: (inout ChainHead, Timestamp) throws(EventStoreError) -> Void
    ) -> Result<Void, EventStoreError> {
        do {
            try connection.execute("BEGIN IMMEDIATE")
        } catch {
            return .failure(.storage(error))
        }
        do {
            let dataVersion = try connection.cached("PRAGMA data_version").firstRow { $0.int64(0) } ?? 0
            if known?.dataVersion != dataVersion {
                known = KnownState(dataVersion: dataVersion, head: try ChainHead.read(connection))
            }
            var head = known!.head
            readModelCheckpoints = nil
            try body(&head, clock.now())
            if let observer, let readModelCheckpoints { try observer.record(readModelCheckpoints, in: database) }
            try connection.execute("COMMIT")
            known?.head = head
            notifier.advance(to: head.position)
            return .success(())
        } catch {
            try? connection.execute("ROLLBACK")
            known = nil
            return .failure(EventStoreError.wrapping(error))
        }
    }

    /// Appends one request inside the open transaction, or explains why not (writing nothing).
    private func apply(_ request: AppendRequest, head: inout ChainHead, now: Timestamp) throws(EventStoreError) -> AppendResult {
        try request.validate()
        let current = try currentVersion(of: request.streamId)
        guard request.expectedVersion.isSatisfied(by: current) else {
            if let original = try alreadyStored(request) { return original }
            throw .wrongExpectedVersion(streamId: request.streamId, expected: request.expectedVersion, actual: current)
        }
        // A request is all or nothing: several inserts, or inserts plus projection updates, need a savepoint.
        let savepoint = request.events.count > 1 || observer != nil
        if savepoint { try run("SAVEPOINT request") }
        let before = head
        var recorded: [RecordedEvent] = []
        recorded.reserveCapacity(request.events.count)
        var version = current ?? 0
        do {
            for event in request.events {
                version += 1
                recorded.append(try insert(event, streamId: request.streamId, version: version, head: &head, now: now))
            }
        } catch  where error.isUniqueConstraintViolation {
            // An event id is already stored: an idempotent retry, or a reused id.
            if savepoint { try run("ROLLBACK TO request; RELEASE request") }
            head = before
            if let original = try alreadyStored(request) { return original }
            throw .invalidEvent("an event of this request collides with a stored one, though no stored event has its id: run `ledger verify`")
        } catch {
            throw .storage(error)
        }
        if let observer {
            do {
                try observer.apply(recorded, payloads: request.events.map(\.payload), in: database, checkpoints: &readModelCheckpoints)
            } catch {
                try run("ROLLBACK TO request; RELEASE request")
                head = before
                throw .projectionFailed(position: recorded[0].position, reason: "\(error)")
            }
        }
        if savepoint { try run("RELEASE request") }
        remember(version, of: request.streamId)
        return AppendResult(positions: recorded.map(\.position), streamVersion: version, wasAlreadyStored: false)
    }

    private func insert(
        _ event: NewEvent,
        streamId: String,
        version: Int64,
        head: inout ChainHead,
        now: Timestamp
    ) throws(SQLiteError) -> RecordedEvent {
        let row = head.chain(event, streamId: streamId, version: version, now: now)
        let statement = try connection.cached(
            """
            INSERT INTO events (position, stream_id, stream_version, event_id, type, schema_version,
                                data, metadata, recorded_at, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        )
        statement.bind(row.position, at: 1)
        statement.bind(row.streamId, at: 2)
        statement.bind(row.streamVersion, at: 3)
        statement.bind(row.eventId, at: 4)
        statement.bind(row.type, at: 5)
        statement.bind(row.schemaVersion, at: 6)
        statement.bind(row.data, at: 7)
        statement.bind(row.metadata, at: 8)
        statement.bind(row.recordedAt, at: 9)
        statement.bind(row.hash, at: 10)
        try statement.run()
        return RecordedEvent(row, of: event, now: now)
    }

    private func currentVersion(of streamId: String) throws(EventStoreError) -> Int64? {
        if let version = known?.streamVersions[streamId] { return version == 0 ? nil : version }
        let version: Int64
        do {
            let statement = try connection.cached("SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = ?")
            statement.bind(streamId, at: 1)
            version = try statement.firstRow { $0.int64(0) } ?? 0
        } catch {
            throw .storage(error)
        }
        remember(version, of: streamId)
        return version == 0 ? nil : version
    }

    private func remember(_ version: Int64, of streamId: String) {
        if known?.streamVersions.count ?? 0 >= KnownState.maximumStreams { known?.streamVersions.removeAll() }
        known?.streamVersions[streamId] = version
    }

    /// The original result when `request` is a retry (see `AppendRequest.retriedResult`).
    private func alreadyStored(_ request: AppendRequest) throws(EventStoreError) -> AppendResult? {
        var stored: [EventRow?] = []
        for event in request.events { stored.append(try storedRow(eventId: event.eventId)) }
        return try request.retriedResult(stored: stored)
    }

    private func storedRow(eventId: UUID) throws(EventStoreError) -> EventRow? {
        do {
            let statement = try connection.cached("SELECT \(EventRow.columns) FROM events WHERE event_id = ?")
            statement.bind(eventId.lowercasedString, at: 1)
            return try statement.firstRow(EventRow.init)
        } catch {
            throw .storage(error)
        }
    }

    private func run(_ sql: String) throws(EventStoreError) {
        do { try connection.execute(sql) } catch { throw .storage(error) }
    }
}

extension ChainHead {
    static func read(_ connection: Connection) throws(SQLiteError) -> ChainHead {
        let statement = try connection.cached("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
        return try statement.firstRow { ChainHead(position: $0.int64(0), hash: $0.bytes(1)) } ?? .empty
    }
}

extension AppendRequest {
    public func validate() throws(EventStoreError) {
        guard !streamId.isEmpty else { throw .invalidEvent("a stream id must not be empty") }
        guard !events.isEmpty else { throw .invalidEvent("an append must carry at least one event") }
        for event in events {
            guard !event.type.isEmpty else { throw .invalidEvent("an event type must not be empty") }
            guard event.schemaVersion >= 1 else { throw .invalidEvent("schema versions start at 1") }
        }
        guard Set(events.map(\.eventId)).count == events.count else {
            throw .invalidEvent("the same event id appears twice in one append")
        }
    }
}

extension EventStoreError {
    /// Maps whatever a storage closure threw onto the store's error type.
    static func wrapping(_ error: any Error) -> EventStoreError {
        switch error {
        case let error as EventStoreError: error
        case let error as SQLiteError: .storage(error)
        default: .invalidEvent("unexpected failure: \(error)")
        }
    }
}
