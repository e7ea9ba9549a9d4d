/// A value stored as its raw string (a status, a delivery kind): read and written as that string,
/// so a field that becomes typed keeps the same canonical bytes, and old rows and events read back.
public protocol CanonicalRawValue: RawRepresentable, Codable, CanonicalReadable, CanonicalWritable where RawValue == String {}

extension CanonicalRawValue {
    public init(reading value: CanonicalValue) throws {
        let raw = try String(reading: value)
        guard let typed = Self(rawValue: raw) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown \(Self.self) \"\(raw)\""))
        }
        self = typed
    }

    @inlinable public func write(to writer: inout CanonicalWriter) { rawValue.write(to: &writer) }
}
