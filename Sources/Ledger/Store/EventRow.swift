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

    public init(
        position: Int64,
        streamId: String,
        streamVersion: Int64,
        eventId: String,
        type: String,
        schemaVersion: Int,
        data: String,
        metadata: String,
        recordedAt: String,
        hash: [UInt8]
    ) {
        self.position = position
        self.streamId = streamId
        self.streamVersion = streamVersion
        self.eventId = eventId
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.metadata = metadata
        self.recordedAt = recordedAt
        self.hash = hash
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
            previous: previous,
            position: position,
            streamId: streamId,
            streamVersion: streamVersion,
            eventId: eventId,
            type: type,
            schemaVersion: schemaVersion,
            data: data,
            metadata: metadata,
            recordedAt: recordedAt
        )
    }

    /// The typed event; a row that does not decode (edited behind the store's back) is a storage fault.
    public func decoded() throws(EventStoreError) -> RecordedEvent {
        guard let eventId = UUID(hexString: eventId), let recordedAt = Timestamp(iso8601: recordedAt) else {
            throw Self.damaged(at: position)
        }
        return RecordedEvent(
            position: position,
            streamId: streamId,
            streamVersion: streamVersion,
            eventId: eventId,
            type: type,
            schemaVersion: schemaVersion,
            data: CanonicalJSON(stored: data),
            metadata: CanonicalJSON(stored: metadata),
            recordedAt: recordedAt,
            hash: hash
        )
    }

    /// A row whose event id or time does not parse, however it was read.
    static func damaged(at position: Int64) -> EventStoreError {
        .invalidEvent("the row at position \(position) is damaged (event id or time unreadable); run `ledger verify`")
    }
}

extension RecordedEvent {
    /// Reads the current row of a statement selecting `EventRow.columns` straight into an event:
    /// the id and the time are parsed from SQLite's bytes, without the strings an `EventRow`
    /// keeps for hashing — every event of a replay is read here.
    init(row statement: Statement) throws(EventStoreError) {
        let position = statement.int64(0)
        guard let eventId = statement.withBytes(3, UUID.init(hexBytes:)), let recordedAt = statement.withBytes(8, Timestamp.init(iso8601:)) else {
            throw EventRow.damaged(at: position)
        }
        self.init(
            position: position,
            streamId: statement.string(1),
            streamVersion: statement.int64(2),
            eventId: eventId,
            type: statement.string(4),
            schemaVersion: statement.int(5),
            data: CanonicalJSON(stored: statement.string(6)),
            metadata: CanonicalJSON(stored: statement.string(7)),
            recordedAt: recordedAt,
            hash: statement.bytes(9)
        )
    }
}

extension StoredPayload {
    /// Reads the current row of a statement selecting `position, recorded_at, type,
    /// schema_version, data`, the type's name through `names`, the payload into `page`.
    init(row statement: Statement, names: inout InternedNames, page: PayloadBytes) throws(EventStoreError) {
        let position = statement.int64(0)
        guard let recordedAt = statement.withBytes(1, Timestamp.init(iso8601:)) else { throw EventRow.damaged(at: position) }
        self.init(
            position: position,
            recordedAt: recordedAt,
            type: statement.withBytes(2) { names.name($0) },
            schemaVersion: statement.int(3),
            data: StoredJSON(statement.withBytes(4, page.append), of: page)
        )
    }
}

/// The event type names of one read, each made into a `String` once: most are past Swift's 15
/// inline bytes, so reading the name of every event was an allocation per event. A page holds a
/// few dozen names at most, so a look-up by length and bytes is enough.
struct InternedNames {
    private var names: [(bytes: [UInt8], name: String)] = []

    mutating func name(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        for entry in names where entry.bytes.count == bytes.count && entry.bytes.elementsEqual(bytes) { return entry.name }
        let name = String(decoding: bytes, as: UTF8.self)
        names.append((Array(bytes), name))
        return name
    }
}

extension Statement {
    /// Every row of a statement selecting what `StoredPayload(row:)` reads; then resets.
    func storedPayloads() throws -> [StoredPayload] {
        defer { reset() }
        var payloads: [StoredPayload] = []
        var names = InternedNames()
        let page = PayloadBytes()
        while try step() { payloads.append(try StoredPayload(row: self, names: &names, page: page)) }
        return payloads
    }

    /// Every row of a statement selecting `EventRow.columns`, as events; then resets (see `rows`).
    func recordedEvents() throws -> [RecordedEvent] {
        defer { reset() }
        var events: [RecordedEvent] = []
        while try step() { events.append(try RecordedEvent(row: self)) }
        return events
    }
}
