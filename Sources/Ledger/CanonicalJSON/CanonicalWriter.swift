/// A value that writes its own canonical JSON: byte for byte what `CanonicalEncoder` writes for
/// its `Encodable` conformance, without Codable's containers.
///
/// Why: a replay writes one row per entity, and `CanonicalEncoder` (a node and a boxed container
/// per object, a slot per member, a sort per object) was a quarter of its CPU. A conformance lists
/// its members in canonical key order (by the UTF-8 bytes of their `CodingKeys`), omitting `nil`
/// optionals as synthesized `encode(to:)` does. The `Encodable` conformance stays the definition:
/// debug builds check every text written here against `CanonicalEncoder`, so any test that writes
/// a row fails if the two drift apart. `@Canonical` generates the conformances of payloads and
/// states, with the key order worked out at compile time.
public protocol CanonicalWritable: Encodable {
    func write(to writer: inout CanonicalWriter)
}

/// Canonical JSON written straight into bytes (see `CanonicalWritable`).
///
/// Inlinable, so that each state's `write(to:)` is compiled for its own members' types: called
/// as generic code from another module, every member cost a conformance lookup.
public struct CanonicalWriter {
    @usableFromInline var bytes: [UInt8] = []
    /// No member or element written yet in the innermost object or array: no comma before the next.
    @usableFromInline var atStart = true
    /// A value JSON cannot hold (a non-finite `Double`) was met; `text(of:)` then lets
    /// `CanonicalEncoder` throw its error, which names the field.
    @usableFromInline var invalid = false

    @usableFromInline init() {}

    /// A writer whose buffer has room for most rows at once (a session is ~1.5 KB): growing the
    /// buffer copied it, a fifth of a replay's row encoding.
    public static func withRoomForARow() -> CanonicalWriter {
        var writer = CanonicalWriter()
        writer.bytes.reserveCapacity(4096)
        return writer
    }

    /// The canonical text of `value`.
    @inlinable public static func text(of value: some CanonicalWritable) throws -> String {
        var writer = withRoomForARow()
        return try writer.text(of: value)
    }

    /// The canonical text of `value`, written in this writer's buffer, which is kept for the next
    /// value: a rebuild encodes rows one after another on each core, and a fresh 4 KB buffer per
    /// row was a large allocation and a free per row.
    @inlinable public mutating func text(of value: some CanonicalWritable) throws -> String {
        bytes.removeAll(keepingCapacity: true)
        atStart = true
        invalid = false
        value.write(to: &self)
        guard !invalid else { return try CanonicalEncoder.text(of: value) }
        let text = String(decoding: bytes, as: UTF8.self)
        assert(text == (try? CanonicalEncoder.text(of: value)), "\(type(of: value)).write(to:) differs from its Encodable conformance")
        return text
    }

    /// An object; `members` writes them with `member`, in canonical key order.
    @inlinable public mutating func object(_ members: (inout CanonicalWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        atStart = true
        members(&self)
        bytes.append(UInt8(ascii: "}"))
        atStart = false
    }

    @inlinable public mutating func member(_ key: some CodingKey, _ value: some CanonicalWritable) {
        member(named: key.stringValue, value)
    }

    /// An optional member: absent when `nil` (synthesized `encode(to:)` uses `encodeIfPresent`).
    @inlinable public mutating func member(_ key: some CodingKey, _ value: (some CanonicalWritable)?) {
        if let value { member(named: key.stringValue, value) }
    }

    @inlinable mutating func member(named name: String, _ value: some CanonicalWritable) {
        separate()
        JSONValue.writeString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        value.write(to: &self)
    }

    @inlinable mutating func array(_ elements: [some CanonicalWritable]) {
        bytes.append(UInt8(ascii: "["))
        atStart = true
        for element in elements {
            separate()
            element.write(to: &self)
        }
        bytes.append(UInt8(ascii: "]"))
        atStart = false
    }

    @inlinable mutating func separate() {
        if !atStart { bytes.append(UInt8(ascii: ",")) }
        atStart = false
    }
}

extension String: CanonicalWritable {
    @inlinable public func write(to writer: inout CanonicalWriter) { JSONValue.writeString(self, to: &writer.bytes) }
}

extension Int: CanonicalWritable {
    @inlinable public func write(to writer: inout CanonicalWriter) { writer.bytes.append(contentsOf: String(self).utf8) }
}

extension Int64: CanonicalWritable {
    @inlinable public func write(to writer: inout CanonicalWriter) { writer.bytes.append(contentsOf: String(self).utf8) }
}

extension Bool: CanonicalWritable {
    @inlinable public func write(to writer: inout CanonicalWriter) { writer.bytes.append(contentsOf: (self ? "true" : "false").utf8) }
}

extension Double: CanonicalWritable {
    @inlinable public func write(to writer: inout CanonicalWriter) {
        guard let text = ScalarSpelling.doubleText(self) else {
            writer.invalid = true
            writer.bytes.append(contentsOf: "null".utf8)
            return
        }
        writer.bytes.append(contentsOf: text.utf8)
    }
}

extension Timestamp: CanonicalWritable {
    /// A string that never needs an escape.
    @inlinable public func write(to writer: inout CanonicalWriter) {
        writer.bytes.append(UInt8(ascii: "\""))
        write(to: &writer.bytes)
        writer.bytes.append(UInt8(ascii: "\""))
    }
}

extension Array: CanonicalWritable where Element: CanonicalWritable {
    @inlinable public func write(to writer: inout CanonicalWriter) { writer.array(self) }
}

/// An object keyed by its strings, in canonical key order, as `CanonicalEncoder` sorts them.
extension Dictionary: CanonicalWritable where Key == String, Value: CanonicalWritable {
    @inlinable public func write(to writer: inout CanonicalWriter) {
        writer.object { writer in
            for key in keys.sorted(by: CanonicalKeyOrder.precedes) { writer.member(named: key, self[key]!) }
        }
    }
}
