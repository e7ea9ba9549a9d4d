/// The append-only event log, independent of the database behind it.
///
/// SQLite (`SQLiteEventStore`) is the embedded default; the protocol exists so a PostgreSQL store
/// can serve deployments that outgrow one machine with the same semantics:
/// - positions are global, gap-free and in commit order;
/// - an append names the version it expects its stream to be at (optimistic concurrency);
/// - appending an already-stored event id with the same content is a no-op returning the original
///   position; with different content it is `duplicateEventConflict`;
/// - an append returns only once its events are durable.
public protocol EventStore: Sendable {
    /// Appends events to one stream, atomically.
    func append(_ request: AppendRequest) async throws(EventStoreError) -> AppendResult

    /// Appends several requests in order, all in one transaction: either every request is written
    /// or none is (`batchRejected` names the first that failed). Used by import, where a refused
    /// line must leave the ledger as it was.
    func appendAll(_ requests: [AppendRequest]) async throws(EventStoreError) -> [AppendResult]

    /// One stream in version order, starting at `fromVersion`.
    func readStream(_ streamId: String, fromVersion: Int64, limit: Int) async throws(EventStoreError) -> [RecordedEvent]

    /// The log in position order, strictly after `position` (0 reads from the start).
    func readAll(after position: Int64, limit: Int) async throws(EventStoreError) -> [RecordedEvent]

    /// `readAll`, with only what a fold reads of each event (see `StoredPayload`).
    func readPayloads(after position: Int64, limit: Int) async throws(EventStoreError) -> [StoredPayload]

    /// Every event whose metadata names `correlationId`, in position order, strictly after `position`.
    func read(correlationId: String, after position: Int64, limit: Int) async throws(EventStoreError) -> [RecordedEvent]

    /// The position of the last event (0 for an empty log).
    func headPosition() async throws(EventStoreError) -> Int64

    /// Returns once an event after `position` is stored by this process, or when the task is cancelled.
    func waitForAppend(after position: Int64) async
}

/// A store the `ledger` commands can check and close, whatever its database.
public protocol VerifiableEventStore: EventStore {
    /// Checks the hash chain, position and stream-version contiguity and the append-only protection.
    func verify() async throws(EventStoreError) -> VerificationReport
    /// Finishes the appends already accepted, then refuses new ones.
    func close() async
}

extension EventStore {
    /// A store without a narrower read reads the whole events.
    public func readPayloads(after position: Int64, limit: Int) async throws(EventStoreError) -> [StoredPayload] {
        try await readAll(after: position, limit: limit).map(StoredPayload.init)
    }

    public func append(
        _ events: [NewEvent],
        to streamId: String,
        expectedVersion: ExpectedVersion
    ) async throws(EventStoreError) -> AppendResult {
        try await append(AppendRequest(streamId: streamId, expectedVersion: expectedVersion, events: events))
    }

    /// Catches up from `position` and then follows live appends, in position order, until cancelled.
    public func subscribe(after position: Int64, pageSize: Int = 512) -> EventSubscription {
        EventSubscription(store: self, after: position, pageSize: pageSize)
    }
}
