import Foundation

/// The NDJSON form of the log: one event per line, as `ledger events` prints and `ledger import` reads.
///
/// `data` and `metadata` are embedded as JSON objects (not strings) in their canonical text, so a
/// line is readable with `jq` and an export → import → export round trip is byte-identical apart
/// from positions and hashes.
public enum EventLine {
    public static func encode(_ event: RecordedEvent) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(event.data.text.utf8.count + event.metadata.text.utf8.count + 256)
        func key(_ name: String, first: Bool = false) {
            if !first { bytes.append(UInt8(ascii: ",")) }
            JSONValue.writeString(name, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
        }
        func string(_ value: String) { JSONValue.writeString(value, to: &bytes) }
        bytes.append(UInt8(ascii: "{"))
        key("position", first: true)
        bytes.append(contentsOf: String(event.position).utf8)
        key("stream_id")
        string(event.streamId)
        key("stream_version")
        bytes.append(contentsOf: String(event.streamVersion).utf8)
        key("event_id")
        string(event.eventId.lowercasedString)
        key("type")
        string(event.type)
        key("schema_version")
        bytes.append(contentsOf: String(event.schemaVersion).utf8)
        key("data")
        bytes.append(contentsOf: event.data.text.utf8)
        key("metadata")
        bytes.append(contentsOf: event.metadata.text.utf8)
        key("recorded_at")
        string(event.recordedAt.iso8601)
        key("hash")
        string(event.hashHex)
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One parsed line: where it stood in its source log, and the append that reproduces it.
    public struct Parsed: Sendable {
        public let position: Int64
        public let request: AppendRequest
    }

    /// Parses one line; `hash` is ignored (the importing ledger chains its own).
    public static func decode(_ line: some Collection<UInt8>) throws(EventLineError) -> Parsed {
        let value: JSONValue
        do { value = try JSONValue(parsing: line) } catch { throw EventLineError(reason: error.description) }
        func field(_ name: String) throws(EventLineError) -> JSONValue {
            guard let field = value[name] else { throw EventLineError(reason: "missing \"\(name)\"") }
            return field
        }
        func string(_ name: String) throws(EventLineError) -> String {
            guard let text = try field(name).stringValue else { throw EventLineError(reason: "\"\(name)\" must be a string") }
            return text
        }
        func integer(_ name: String) throws(EventLineError) -> Int64 {
            guard let number = try field(name).int64Value else { throw EventLineError(reason: "\"\(name)\" must be an integer") }
            return number
        }
        let eventIdText = try string("event_id")
        guard let eventId = UUID(hexString: eventIdText) else { throw EventLineError(reason: "event_id \(eventIdText) is not a UUID") }
        let recordedAtText = try string("recorded_at")
        guard let recordedAt = Timestamp(iso8601: recordedAtText) else {
            throw EventLineError(reason: "recorded_at \(recordedAtText) is not an RFC 3339 UTC time")
        }
        let streamVersion = try integer("stream_version")
        guard streamVersion >= 1 else { throw EventLineError(reason: "stream_version must be at least 1") }
        let schemaVersion = try integer("schema_version")
        let data: CanonicalJSON
        let metadata: CanonicalJSON
        do {
            data = try CanonicalJSON(try field("data"))
            metadata = try CanonicalJSON(try field("metadata"))
        } catch let error as EventLineError {
            throw error
        } catch {
            throw EventLineError(reason: "\(error)")
        }
        let event = NewEvent(
            eventId: eventId,
            type: try string("type"),
            schemaVersion: Int(clamping: schemaVersion),
            data: data,
            rawMetadata: metadata,
            recordedAt: recordedAt
        )
        let request = AppendRequest.copying(event, streamId: try string("stream_id"), streamVersion: streamVersion)
        return Parsed(position: try integer("position"), request: request)
    }
}

public struct EventLineError: Error, CustomStringConvertible, Sendable {
    public let reason: String
    public var description: String { reason }
}
