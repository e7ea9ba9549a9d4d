import Foundation
import Ledger

/// JSON for payloads and read-model rows. Every type spells its snake_case keys in `CodingKeys`
/// (no key strategy): converting key names on every decode costs half of a replay.
public enum EventCoding {
    /// A payload as an event ready to append.
    public static func newEvent<P: DomainEventPayload>(_ payload: P, metadata: EventMetadata, id: UUID = UUID()) throws(EventStoreError) -> NewEvent {
        try NewEvent(eventId: id, type: P.eventType, schemaVersion: P.schemaVersion, data: CanonicalJSON(encoding: payload), metadata: metadata)
    }

    /// A read model's row text: the bytes replay compares (canonical, so deterministic).
    public static func rowText(_ value: some CanonicalWritable) throws -> String {
        try CanonicalWriter.text(of: value)
    }

    /// The same, written in `writer`'s buffer (see `CanonicalWriter.text(of:)`).
    public static func rowText(_ value: some CanonicalWritable, using writer: inout CanonicalWriter) throws -> String {
        try writer.text(of: value)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try CanonicalDecoder.decode(type, from: text)
    }
}
