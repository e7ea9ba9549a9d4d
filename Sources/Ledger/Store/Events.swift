import Foundation

/// Who and what an event belongs to: the fields every audit and projection follows.
public struct EventMetadata: Codable, Sendable, Hashable {
    /// The OCPI command or OCPP transaction this event belongs to.
    public var correlationId: String?
    /// The event that caused this one.
    public var causationId: String?
    /// `ocpi`, `ocpp:<charge_point>`, `timer`, `ops:<user>`, `import`, …
    public var source: String

    public init(source: String, correlationId: String? = nil, causationId: String? = nil) {
        self.source = source
        self.correlationId = correlationId
        self.causationId = causationId
    }

    enum CodingKeys: String, CodingKey {
        case correlationId = "correlation_id"
        case causationId = "causation_id"
        case source
    }
}

/// Written by hand (the `@Canonical` macro lives above the ledger), in canonical key order; debug
/// builds check every text against the `Encodable` conformance (`CanonicalWriter.text(of:)`).
extension EventMetadata: CanonicalWritable {
    public func write(to writer: inout CanonicalWriter) {
        writer.object { object in
            object.member(CodingKeys.causationId, causationId)
            object.member(CodingKeys.correlationId, correlationId)
            object.member(CodingKeys.source, source)
        }
    }
}

/// An event to append. Positions, versions and hashes are the store's to assign.
public struct NewEvent: Sendable {
    /// Retrying an append with the same ids is a no-op that returns the original positions.
    public var eventId: UUID
    public var type: String
    public var schemaVersion: Int
    public var data: CanonicalJSON
    public var metadata: CanonicalJSON
    /// `nil` for live writes (the store's clock decides); set only when importing a recorded log,
    /// whose times are facts to keep.
    public var recordedAt: Timestamp?
    /// The value `data` was encoded from, when the writer had one: the read models fold it instead
    /// of decoding `data` again in the same transaction (`ReadModelPort.admit`). Never stored, and
    /// no part of the event's identity (`==`).
    public var payload: (any Sendable)?

    /// `payload`, when given, must be what `data` decodes to.
    public init(
        eventId: UUID = .timeOrdered(),
        type: String,
        schemaVersion: Int = 1,
        data: CanonicalJSON,
        metadata: EventMetadata,
        payload: (any Sendable)? = nil
    ) throws(EventStoreError) {
        self.init(
            eventId: eventId,
            type: type,
            schemaVersion: schemaVersion,
            data: data,
            rawMetadata: try CanonicalJSON(encoding: metadata),
            recordedAt: nil
        )
        self.payload = payload
    }

    /// Metadata exactly as found in a recorded log (it may carry keys this version does not know).
    public init(
        eventId: UUID,
        type: String,
        schemaVersion: Int,
        data: CanonicalJSON,
        rawMetadata: CanonicalJSON,
        recordedAt: Timestamp?
    ) {
        self.eventId = eventId
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.metadata = rawMetadata
        self.recordedAt = recordedAt
    }
}

/// The stored fields alone: `payload` is a copy of `data` in another form.
extension NewEvent: Hashable {
    public static func == (lhs: NewEvent, rhs: NewEvent) -> Bool {
        lhs.eventId == rhs.eventId && lhs.type == rhs.type && lhs.schemaVersion == rhs.schemaVersion && lhs.data == rhs.data
            && lhs.metadata == rhs.metadata && lhs.recordedAt == rhs.recordedAt
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(eventId)
        hasher.combine(type)
        hasher.combine(schemaVersion)
        hasher.combine(data)
        hasher.combine(metadata)
        hasher.combine(recordedAt)
    }
}

/// What a fold needs of a stored event: its place, its time, its type and its payload — not its
/// id, stream, metadata or hash, which a replay reads a million times for nothing (turning them
/// into values was two thirds of reading the log).
public struct StoredPayload: Sendable, Equatable {
    public let position: Int64
    public let recordedAt: Timestamp
    public let type: String
    public let schemaVersion: Int
    public let data: StoredJSON

    public init(position: Int64, recordedAt: Timestamp, type: String, schemaVersion: Int, data: StoredJSON) {
        self.position = position
        self.recordedAt = recordedAt
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
    }

    public init(_ event: RecordedEvent) {
        self.init(
            position: event.position,
            recordedAt: event.recordedAt,
            type: event.type,
            schemaVersion: event.schemaVersion,
            data: StoredJSON(event.data.text)
        )
    }
}

/// An event as stored: its place in the log, its stream position and its link in the hash chain.
public struct RecordedEvent: Sendable, Hashable {
    public let position: Int64
    public let streamId: String
    public let streamVersion: Int64
    public let eventId: UUID
    public let type: String
    public let schemaVersion: Int
    public let data: CanonicalJSON
    public let metadata: CanonicalJSON
    public let recordedAt: Timestamp
    /// SHA-256 chained over the previous event's hash (see `EventHash`).
    public let hash: [UInt8]

    /// The metadata's known fields, or `nil` when a recorded log carries metadata without a source.
    public var eventMetadata: EventMetadata? { try? metadata.decode(EventMetadata.self) }

    public var hashHex: String { hash.hexString }
}

/// What an append expects of its stream before writing (optimistic concurrency, as in KurrentDB).
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// Write whatever the stream holds.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream must hold at least one event.
    case exists
    /// The stream's last version must be exactly this.
    case exact(Int64)

    public func isSatisfied(by current: Int64?) -> Bool {
        switch self {
        case .any: true
        case .noStream: current == nil
        case .exists: current != nil
        case .exact(let version): (current ?? 0) == version && (version > 0 || current == nil)
        }
    }

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .exists: "an existing stream"
        case .exact(let version): "version \(version)"
        }
    }
}

/// Events for one stream, written together or not at all.
public struct AppendRequest: Sendable, Hashable {
    public var streamId: String
    public var expectedVersion: ExpectedVersion
    public var events: [NewEvent]

    public init(streamId: String, expectedVersion: ExpectedVersion, events: [NewEvent]) {
        self.streamId = streamId
        self.expectedVersion = expectedVersion
        self.events = events
    }
}

/// Where an append landed.
public struct AppendResult: Sendable, Hashable {
    /// Global positions of the appended events, in order.
    public let positions: [Int64]
    /// The stream's version after the append: the `exact` version to expect next time.
    public let streamVersion: Int64
    /// `true` when every event was already stored by an earlier identical append (nothing written).
    public let wasAlreadyStored: Bool

    public init(positions: [Int64], streamVersion: Int64, wasAlreadyStored: Bool) {
        self.positions = positions
        self.streamVersion = streamVersion
        self.wasAlreadyStored = wasAlreadyStored
    }
}
