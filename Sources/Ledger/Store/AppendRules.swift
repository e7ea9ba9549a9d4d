import Foundation

/// What every store does the same way with an append, whatever its database (SQLite, PostgreSQL):
/// chain the next row onto the head, and recognize a retried request. The stores differ in SQL
/// and transactions only, so the chain and idempotency cannot drift apart between them.

/// The last stored event's position and hash: where the next append chains on.
public struct ChainHead: Sendable, Equatable {
    public var position: Int64
    public var hash: [UInt8]

    public init(position: Int64, hash: [UInt8]) {
        self.position = position
        self.hash = hash
    }

    /// An empty log's head.
    public static let empty = ChainHead(position: 0, hash: EventHash.genesis)

    /// The row `event` becomes as the next one in the log, at version `version` of `streamId`;
    /// the head moves onto it. Its time is the event's own (an import) or `now`.
    public mutating func chain(_ event: NewEvent, streamId: String, version: Int64, now: Timestamp) -> EventRow {
        let position = position + 1
        let eventId = event.eventId.lowercasedString
        let recordedAt = (event.recordedAt ?? now).iso8601
        let hash = EventHash.compute(
            previous: hash,
            position: position,
            streamId: streamId,
            streamVersion: version,
            eventId: eventId,
            type: event.type,
            schemaVersion: event.schemaVersion,
            data: event.data.text,
            metadata: event.metadata.text,
            recordedAt: recordedAt
        )
        self = ChainHead(position: position, hash: hash)
        return EventRow(
            position: position,
            streamId: streamId,
            streamVersion: version,
            eventId: eventId,
            type: event.type,
            schemaVersion: event.schemaVersion,
            data: event.data.text,
            metadata: event.metadata.text,
            recordedAt: recordedAt,
            hash: hash
        )
    }
}

extension AppendRequest {
    /// A retry's original result, given `stored`: for each of this request's events in order, the
    /// row already stored under its id, if any. `nil` when none is stored (a new request);
    /// `duplicateEventConflict` when an id is stored with other content; `invalidEvent` when only
    /// some are stored.
    public func retriedResult(stored: [EventRow?]) throws(EventStoreError) -> AppendResult? {
        var found: [EventRow] = []
        for (event, row) in zip(events, stored) {
            guard let row else { continue }
            let sameContent =
                row.streamId == streamId && row.type == event.type
                && row.schemaVersion == event.schemaVersion && row.data == event.data.text
                && row.metadata == event.metadata.text
                && (event.recordedAt == nil || row.recordedAt == event.recordedAt?.iso8601)
                && (found.isEmpty || row.streamVersion == found[found.count - 1].streamVersion + 1)
            guard sameContent else { throw .duplicateEventConflict(eventId: row.eventId, storedAt: row.position) }
            found.append(row)
        }
        guard let last = found.last else { return nil }
        guard found.count == events.count else {
            throw .invalidEvent("some events of this request are already stored and others are not: retry with exactly the original request")
        }
        return AppendResult(positions: found.map(\.position), streamVersion: last.streamVersion, wasAlreadyStored: true)
    }
}

extension RecordedEvent {
    /// The event as appended: `row` as chained from `event` at `now` (see `ChainHead.chain`).
    public init(_ row: EventRow, of event: NewEvent, now: Timestamp) {
        self.init(
            position: row.position,
            streamId: row.streamId,
            streamVersion: row.streamVersion,
            eventId: event.eventId,
            type: event.type,
            schemaVersion: event.schemaVersion,
            data: event.data,
            metadata: event.metadata,
            recordedAt: event.recordedAt ?? now,
            hash: row.hash
        )
    }
}

extension AppendRequest {
    /// The request that appends `event` to another ledger as it was: the same stream version (so
    /// the copy refuses to skip or repeat one), id, type, payloads and time. How `ledger import`
    /// and `ledger migrate-to` copy a log; the copy's hashes are then the original's.
    public static func copying(_ event: NewEvent, streamId: String, streamVersion: Int64) -> AppendRequest {
        AppendRequest(streamId: streamId, expectedVersion: streamVersion == 1 ? .noStream : .exact(streamVersion - 1), events: [event])
    }

    /// `copying` a recorded event.
    public static func copying(_ event: RecordedEvent) -> AppendRequest {
        copying(
            NewEvent(
                eventId: event.eventId,
                type: event.type,
                schemaVersion: event.schemaVersion,
                data: event.data,
                rawMetadata: event.metadata,
                recordedAt: event.recordedAt
            ),
            streamId: event.streamId,
            streamVersion: event.streamVersion
        )
    }
}
