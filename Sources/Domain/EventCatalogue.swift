import Foundation
import Ledger

/// The one registry from stored type names to event types, and the upcasters that bring an old
/// schema version up to date on read (rows are never rewritten).
public struct EventCatalogue: Sendable {
    typealias Decode = @Sendable (StoredJSON) throws -> DomainEvent
    /// The event of a payload held as `any Sendable`, or `nil` when it is not the type's payload.
    typealias Wrap = @Sendable (any Sendable) -> DomainEvent?
    /// Turns a payload of version `n` into version `n + 1`.
    public typealias Upcaster = @Sendable (JSONValue) throws -> JSONValue

    private var decoders: [String: (schemaVersion: Int, decode: Decode, wrap: Wrap)] = [:]
    private var upcasters: [String: [Int: Upcaster]] = [:]

    /// Every event of docs/ARCHITECTURE.md §3.
    public static let standard: EventCatalogue = {
        var catalogue = EventCatalogue()
        DomainEvent.registerEveryCase(in: &catalogue)
        return catalogue
    }()

    public init() {}

    /// `wrap` consumes the payload: the event's box takes the decoded fields over, where a
    /// borrowed payload was copied into it (a retain and a release of each of its strings).
    public mutating func register<P: DomainEventPayload>(_ type: P.Type, _ wrap: @escaping @Sendable (consuming P) -> DomainEvent) {
        decoders[P.eventType] = (
            P.schemaVersion, { json in wrap(try CanonicalReader.decode(P.self, from: json)) }, { payload in (payload as? P).map { wrap($0) } }
        )
    }

    /// Registers how a payload stored at `version` becomes `version + 1`.
    public mutating func registerUpcaster(for type: String, from version: Int, _ upcast: @escaping Upcaster) {
        upcasters[type, default: [:]][version] = upcast
    }

    public var knownTypes: Set<String> { Set(decoders.keys) }

    /// Decodes a stored event, upcasting an older schema version first.
    public func decode(_ recorded: RecordedEvent) throws(CatalogueError) -> DomainEvent {
        try decode(type: recorded.type, schemaVersion: recorded.schemaVersion, data: recorded.data.text, position: recorded.position)
    }

    /// A just-appended event from the payload it was encoded from (`NewEvent.payload`), without
    /// decoding its data again; decoded as any other when `payload` is not its type's payload at
    /// its schema version. Debug builds check that the two agree.
    public func decode(_ recorded: RecordedEvent, payload: (any Sendable)?) throws(CatalogueError) -> DomainEvent {
        guard let payload, let entry = decoders[recorded.type], entry.schemaVersion == recorded.schemaVersion,
            let event = entry.wrap(payload)
        else { return try decode(recorded) }
        assert(event == (try? decode(recorded)), "the \(recorded.type) appended differs from what its data decodes to: \(recorded.data.text)")
        return event
    }

    /// Decodes stored fields; `position` only names the event in errors.
    public func decode(type: String, schemaVersion: Int, data text: String, position: Int64) throws(CatalogueError) -> DomainEvent {
        try decode(type: type, schemaVersion: schemaVersion, data: StoredJSON(text), position: position)
    }

    /// Decodes a stored payload where its bytes lie (a page read for a replay).
    public func decode(type: String, schemaVersion: Int, data json: StoredJSON, position: Int64) throws(CatalogueError) -> DomainEvent {
        guard let entry = decoders[type] else {
            throw CatalogueError(position: position, type: type, reason: "unknown event type")
        }
        guard schemaVersion <= entry.schemaVersion else {
            throw CatalogueError(
                position: position,
                type: type,
                reason: "schema version \(schemaVersion) is newer than this binary's \(entry.schemaVersion): upgrade"
            )
        }
        do {
            var json = json
            if schemaVersion < entry.schemaVersion {
                var value = try JSONValue(parsing: json.text)
                for version in schemaVersion..<entry.schemaVersion {
                    guard let upcast = upcasters[type]?[version] else {
                        throw CatalogueError(position: position, type: type, reason: "no upcaster from schema version \(version)")
                    }
                    value = try upcast(value)
                }
                json = StoredJSON(value.canonicalText)
            }
            return try entry.decode(json)
        } catch let error as CatalogueError {
            throw error
        } catch {
            throw CatalogueError(position: position, type: type, reason: "malformed data: \(Self.explain(error))")
        }
    }

    /// Names the offending field as it is stored (snake_case), not as Swift calls it.
    private static func explain(_ error: any Error) -> String {
        func stored(_ key: any CodingKey) -> String {
            key.stringValue.reduce(into: "") { name, character in
                if character.isUppercase { name += "_" + character.lowercased() } else { name.append(character) }
            }
        }
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing \"\(stored(key))\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
            DecodingError.dataCorrupted(let context):
            return "\(context.codingPath.map(stored).joined(separator: ".")): \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}

/// An event in the log that this binary cannot read: replay and audit name it, never skip it.
public struct CatalogueError: Error, CustomStringConvertible, Sendable, Equatable {
    public let position: Int64
    public let type: String
    public let reason: String
    public var description: String { "position \(position) (\(type)): \(reason)" }

    public init(position: Int64, type: String, reason: String) {
        self.position = position
        self.type = type
        self.reason = reason
    }
}
