import Foundation

/// A JSON object in the ledger's canonical encoding: the exact text that is stored and hashed.
///
/// Whatever produced the JSON (our encoder, an imported production log, a hand-written test), the
/// store keeps one spelling of it, so equal content means equal bytes — which is what makes
/// idempotent retries comparable and hashes reproducible on any machine.
public struct CanonicalJSON: Sendable, Hashable, CustomStringConvertible {
    /// Canonical text; always a JSON object.
    public let text: String

    /// Canonicalizes a JSON object given as text or bytes.
    public init(parsing bytes: some Collection<UInt8>) throws(EventStoreError) {
        let value: JSONValue
        do { value = try JSONValue(parsing: bytes) } catch { throw .invalidJSON(error.description) }
        try self.init(value)
    }

    public init(parsing text: String) throws(EventStoreError) {
        try self.init(parsing: text.utf8)
    }

    public init(_ value: JSONValue) throws(EventStoreError) {
        guard case .object = value else { throw .invalidJSON("an event's data and metadata must be JSON objects") }
        self.text = value.canonicalText
    }

    /// Text already read back from the store, which only ever holds canonical text.
    init(stored text: String) { self.text = text }

    /// Encodes a value that writes itself (an event payload), which must write an object: through
    /// its generated `write(to:)`, where the `Encodable` path cost a container and a boxed value per
    /// member (docs/performance.md, issue 31).
    public init(encoding value: some CanonicalWritable) throws(EventStoreError) {
        let text: String
        do { text = try CanonicalWriter.text(of: value) } catch { throw .invalidJSON("cannot encode \(type(of: value)): \(error)") }
        try self.init(object: text)
    }

    /// Encodes a value, which must encode as an object.
    public init(encoding value: some Encodable) throws(EventStoreError) {
        let text: String
        do { text = try CanonicalEncoder.text(of: value) } catch { throw .invalidJSON("cannot encode \(type(of: value)): \(error)") }
        try self.init(object: text)
    }

    private init(object text: String) throws(EventStoreError) {
        guard text.utf8.first == UInt8(ascii: "{") else { throw .invalidJSON("an event's data and metadata must be JSON objects") }
        self.text = text
    }

    public static let emptyObject = CanonicalJSON(stored: "{}")

    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try CanonicalDecoder.decode(type, from: text)
    }

    /// The parsed document, for callers that work with untyped JSON (import, audit).
    public var value: JSONValue {
        // Stored text was produced by `canonicalText`, so it always parses.
        try! JSONValue(parsing: text)
    }

    public var description: String { text }
}
