import Foundation

/// One row of `events` exactly as stored: the text that was hashed, before any decoding. The
/// same in every store's table (SQLite's and PostgreSQL's), column for column.
public struct EventRow: Sendable, Equatable {
    public static let columns = "position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, hash"

    public let position: Int64
    public let streamId: String
    public let streamVersion: Int64
    public let eventId: String
    public let type: String
    public let schemaVersion: Int
    public let data: String
    public let metadata: String
    public let recordedAt: String
    public let hash: [UInt8]

    public init(position: Int64, streamId: String, streamVersion: Int64, eventId: String, type: String, schemaVersion: Int,
                data: String, metadata: String, recordedAt: String, hash: [UInt8]) {
        self.position = position; self.streamId = streamId; self.streamVersion = streamVersion; self.eventId = eventId
        self.type = type; self.schemaVersion = schemaVersion; self.data = data; self.metadata = metadata
        self.recordedAt = recordedAt; self.hash = hash
    }

    /// Reads the current row of a statement selecting `EventRow.columns`.
    init(_ statement: Statement) {
        position = statement.int64(0)
        streamId = statement.string(1)
        streamVersion = statement.int64(2)
        eventId = statement.string(3)
        type = statement.string(4)
        schemaVersion = statement.int(5)
        data = statement.string(6)
        metadata = statement.string(7)
        recordedAt = statement.string(8)
        hash = statement.bytes(9)
    }

    /// The hash this row must have when chained onto `previous`.
    public func expectedHash(previous: [UInt8]) -> [UInt8] {
        EventHash.compute(
            previous: previous, position: position, streamId: streamId, streamVersion: streamVersion,
            eventId: eventId, type: type, schemaVersion: schemaVersion, data: data, metadata: metadata,
            recordedAt: recordedAt)
    }

    /// The typed event; a row that does not decode (edited behind the store's back) is a storage fault.
    public func decoded() throws(EventStoreError) -> RecordedEvent {
        guard let eventId = UUID(hexString: eventId), let recordedAt = Timestamp(iso8601: recordedAt) else {
            throw .invalidEvent("the row at position \(position) is damaged (event id or time unreadable); run `ledger verify`")
        }
        return RecordedEvent(
            position: position, streamId: streamId, streamVersion: streamVersion, eventId: eventId,
            type: type, schemaVersion: schemaVersion, data: CanonicalJSON(stored: data),
            metadata: CanonicalJSON(stored: metadata), recordedAt: recordedAt, hash: hash)
    }
}
