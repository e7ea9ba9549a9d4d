/// A value that reads itself from stored JSON: the value `CanonicalDecoder` decodes through its
/// `Decodable` conformance, from the same documents, without Codable's containers.
///
/// Why: a replay decodes every event, and `CanonicalDecoder`'s generic containers (a boxed
/// container and its type metadata per object, a coding path per field) were a quarter of its CPU.
/// A conformance reads each of its `CodingKeys` with `decode` or, for an optional,
/// `decodeIfPresent`, as synthesized `init(from:)` does. Objects and arrays are scanned by the code
/// the Codable containers use, so both accept and refuse the same documents; a refusal is reported
/// by decoding again through `Decodable`, whose error names the field. Debug builds check every
/// value read here against `CanonicalDecoder` (hence `Equatable`). The payloads and states write
/// no conformance by hand: `@Canonical` (the `CanonicalCoding` target) generates it.
public protocol CanonicalReadable: Decodable, Equatable {
    init(reading value: CanonicalValue) throws
}

public enum CanonicalReader {
    /// Decodes `text` through `T`'s reader; a document it refuses is decoded again by
    /// `CanonicalDecoder`, which throws the `DecodingError` a refusal has always thrown.
    public static func decode<T: CanonicalReadable>(_ type: T.Type, from text: String) throws -> T {
        try decode(type, from: .copying(text))
    }

    /// Decodes a stored payload where its bytes lie (see `decode(_:from:)`).
    public static func decode<T: CanonicalReadable>(_ type: T.Type, from json: StoredJSON) throws -> T {
        try decode(type, from: json.document)
    }

    private static func decode<T: CanonicalReadable>(_ type: T.Type, from document: JSONDocument) throws -> T {
        guard let value = read(type, from: document) else {
            let decoded = try CanonicalDecoder.decode(type, from: document)
            assertionFailure("\(T.self).init(reading:) refused what its Decodable conformance reads: \(document.text)")
            return decoded
        }
        assert(
            value == (try? CanonicalDecoder.decode(type, from: document)),
            "\(T.self).init(reading:) differs from its Decodable conformance: \(document.text)"
        )
        return value
    }

    /// `T`'s reader alone: `nil` for a document it refuses. For tests that hold it to `Decodable`.
    public static func read<T: CanonicalReadable>(_ type: T.Type, from text: String) -> T? {
        read(type, from: .copying(text))
    }

    private static func read<T: CanonicalReadable>(_ type: T.Type, from document: JSONDocument) -> T? {
        try? T(reading: CanonicalValue(try ValueDecoder.root(of: document)))
    }
}

/// The reader's refusal; what was wrong is for `CanonicalDecoder` to say.
@usableFromInline struct CanonicalReadRefusal: Error {
    @usableFromInline init() {}
}

/// One value of a document being read.
public struct CanonicalValue {
    @usableFromInline let document: JSONDocument
    @usableFromInline let offset: Int

    init(_ decoder: ValueDecoder) { self.init(document: decoder.document, offset: decoder.offset) }

    @usableFromInline init(document: JSONDocument, offset: Int) {
        self.document = document
        self.offset = offset
    }

    /// Scalars are read by the Codable decoder's code. Without a coding path: a refusal is
    /// explained by `CanonicalDecoder`, so none is built here.
    var decoder: ValueDecoder { ValueDecoder(document: document, offset: offset, path: .root) }

    /// The value at `offset` of the same document.
    @usableFromInline func at(_ offset: Int) -> CanonicalValue { CanonicalValue(document: document, offset: offset) }

    /// Where each element of this array starts.
    @usableFromInline func elements() throws -> [Int] { try decoder.elements() }

    public func object() throws -> CanonicalObject { CanonicalObject(value: self, members: try ObjectMembers(decoder)) }
}

/// An object's members, for a reader to take by key. Inlinable, so that each reader is compiled
/// for its own members' types: called as generic code from another module, every member cost a
/// conformance lookup.
public struct CanonicalObject {
    @usableFromInline let value: CanonicalValue
    @usableFromInline let members: ObjectMembers

    /// A member that must be present and not `null`.
    @inlinable public func decode<T: CanonicalReadable>(_ key: some CodingKey) throws -> T {
        guard let offset = members.find(key.stringValue) else { throw CanonicalReadRefusal() }
        return try T(reading: value.at(offset))
    }

    /// A member that may be absent or `null` (`nil` then).
    @inlinable public func decodeIfPresent<T: CanonicalReadable>(_ key: some CodingKey) throws -> T? {
        try members.findPresent(key.stringValue).map { try T(reading: value.at($0)) }
    }
}

extension String: CanonicalReadable {
    public init(reading value: CanonicalValue) throws { self = try value.decoder.string() }
}

extension Int: CanonicalReadable {
    public init(reading value: CanonicalValue) throws { self = try value.decoder.integer(Int.self) }
}

extension Int64: CanonicalReadable {
    public init(reading value: CanonicalValue) throws { self = try value.decoder.integer(Int64.self) }
}

extension Bool: CanonicalReadable {
    public init(reading value: CanonicalValue) throws { self = try value.decoder.bool() }
}

extension Double: CanonicalReadable {
    public init(reading value: CanonicalValue) throws { self = try value.decoder.double() }
}

extension Timestamp: CanonicalReadable {
    public init(reading value: CanonicalValue) throws {
        guard let timestamp = try value.decoder.timestamp() else { throw CanonicalReadRefusal() }
        self = timestamp
    }
}

extension Dictionary: CanonicalReadable where Key == String, Value: CanonicalReadable {
    @inlinable public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        var dictionary: [String: Value] = [:]
        for (name, offset) in object.members.named() { dictionary[name] = try Value(reading: value.at(offset)) }
        self = dictionary
    }
}

extension Array: CanonicalReadable where Element: CanonicalReadable {
    @inlinable public init(reading value: CanonicalValue) throws {
        self = try value.elements().map { try Element(reading: value.at($0)) }
    }
}
