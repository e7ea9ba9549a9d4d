import Foundation

/// A JSON object kept whole inside an event (an OCPI Tariff as it was published): written as the
/// JSON it is, not as a string holding JSON, and read back with every number literal as written.
extension JSONValue: CanonicalReadable, CanonicalWritable, Codable {
    public init(reading value: CanonicalValue) throws { self = try value.decoder.json() }

    public func write(to writer: inout CanonicalWriter) { write(to: &writer.bytes) }

    /// Through the canonical decoder, the value's own bytes (see `ValueDecoder.decode`); through any
    /// other decoder, the nearest JSON value (numbers via `Decimal`, exact for any literal JSON
    /// tariffs and amounts use).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .number(value.canonicalText)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Through the canonical encoder, the value itself (see `ScalarSpelling.encode`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .number(let literal): try container.encode(Decimal(string: literal) ?? 0)
        case .array(let elements): try container.encode(elements)
        case .object(let members): try container.encode(members)
        }
    }
}

extension ValueDecoder {
    /// The value at this offset, parsed from its own bytes.
    func json() throws -> JSONValue {
        let end = try document.skipValue(offset, path: path)
        do { return try JSONValue(parsing: document.slice(offset..<end)) } catch {
            throw document.corrupted("\(error)", at: offset, path: path)
        }
    }
}
