import Foundation

/// Encodes `Encodable` values straight into the ledger's canonical JSON (keys sorted by their
/// UTF-8 bytes, minimal escaping — `JSONValue.canonicalText`'s spelling).
///
/// Why not `JSONEncoder` + re-canonicalizing: every append encodes its events and every fold
/// encodes the rows it changes, and a replay encodes hundreds of thousands of rows; Foundation's
/// encoder plus a second parse was a third of replay time. The output is what `JSONEncoder` with
/// `.sortedKeys` and `.withoutEscapingSlashes` writes for our types (integers and `Double`s
/// spelled the same way), so rows written before it compare equal to rows written after.
public enum CanonicalEncoder {
    /// The canonical text of `value`.
    public static func text(of value: some Encodable) throws -> String {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        try root(value).write(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// `value` as a parsed document.
    public static func value(of value: some Encodable) throws -> JSONValue {
        try root(value).value
    }

    private static func root(_ value: some Encodable) throws -> EncodedSlot {
        let node = EncodingNode()
        try value.encode(to: NodeEncoder(node: node, path: .root))
        guard let slot = node.slot else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(type(of: value)) encoded nothing"))
        }
        return slot
    }
}

/// A value encoded so far: a finished scalar, or a container still being filled.
enum EncodedSlot {
    case scalar(JSONValue)
    case node(EncodingNode)

    var value: JSONValue {
        switch self {
        case .scalar(let value): value
        case .node(let node): node.value
        }
    }

    func write(to output: inout [UInt8]) {
        switch self {
        case .scalar(let value): value.write(to: &output)
        case .node(let node): node.write(to: &output)
        }
    }
}

/// One object or array under construction. A class, because Codable hands out a container and
/// lets the caller fill it afterwards (nested containers, `superEncoder`).
final class EncodingNode {
    enum Kind { case empty, scalar, object, array }

    private(set) var kind = Kind.empty
    private var scalar = JSONValue.null
    private var members: [(key: String, slot: EncodedSlot)] = []
    private var elements: [EncodedSlot] = []

    /// What the node holds, with scalars unwrapped; `nil` when nothing was encoded.
    var slot: EncodedSlot? {
        switch kind {
        case .empty: nil
        case .scalar: .scalar(scalar)
        case .object, .array: .node(self)
        }
    }

    func setScalar(_ value: JSONValue) {
        kind = .scalar
        scalar = value
    }

    func makeObject() {
        if kind != .object { kind = .object }
    }

    func makeArray() {
        if kind != .array { kind = .array }
    }

    func set(_ key: String, _ slot: EncodedSlot) { members.append((key, slot)) }

    func append(_ slot: EncodedSlot) { elements.append(slot) }

    var count: Int { kind == .array ? elements.count : members.count }

    var value: JSONValue {
        switch kind {
        case .empty: .object([:])
        case .scalar: scalar
        case .array: .array(elements.map(\.value))
        case .object: .object(Dictionary(members.map { ($0.key, $0.slot.value) }, uniquingKeysWith: { _, last in last }))
        }
    }

    func write(to output: inout [UInt8]) {
        switch kind {
        case .empty: output.append(contentsOf: "{}".utf8)
        case .scalar: scalar.write(to: &output)
        case .array:
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object:
            // Sorted by key bytes; a key encoded twice keeps its last value, as a dictionary would.
            let members = self.members
            let order = members.indices.sorted { a, b in
                let comparison = CanonicalKeyOrder.compare(members[a].key, members[b].key)
                return comparison != 0 ? comparison < 0 : a < b
            }
            output.append(UInt8(ascii: "{"))
            var first = true
            for (rank, index) in order.enumerated() {
                if rank + 1 < order.count, members[order[rank + 1]].key == members[index].key { continue }
                if !first { output.append(UInt8(ascii: ",")) }
                first = false
                JSONValue.writeString(members[index].key, to: &output)
                output.append(UInt8(ascii: ":"))
                members[index].slot.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }
}

/// The coding path, built only when an error needs it: most values are encoded without one.
indirect enum CodingPathNode {
    case root
    case child(any CodingKey, CodingPathNode)

    var path: [any CodingKey] {
        switch self {
        case .root: []
        case .child(let key, let parent): parent.path + [key]
        }
    }
}

struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

struct NodeEncoder: Encoder {
    let node: EncodingNode
    let path: CodingPathNode
    var codingPath: [any CodingKey] { path.path }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        return KeyedEncodingContainer(KeyedNodeContainer(node: node, path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return UnkeyedNodeContainer(node: node, path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleNodeContainer(node: node, path: path)
    }
}

/// Scalars as `JSONEncoder` spells them.
@usableFromInline enum ScalarSpelling {
    static func double(_ value: Double, _ path: @autoclosure () -> [any CodingKey]) throws -> JSONValue {
        guard let text = doubleText(value) else {
            throw EncodingError.invalidValue(value, .init(codingPath: path(), debugDescription: "\(value) is not a JSON number"))
        }
        return .number(text)
    }

    /// The number's spelling; `nil` for a value JSON cannot hold (NaN, infinities).
    @usableFromInline static func doubleText(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    /// Encodes a nested value into a slot of its own (strings and integers, the common
    /// elements of arrays, without a node of their own).
    static func encode<T: Encodable>(_ value: T, at path: CodingPathNode) throws -> EncodedSlot {
        // Compared by type first: a metadata comparison, where `as?` is a dynamic cast.
        if T.self == String.self, let string = value as? String { return .scalar(.string(string)) }
        if T.self == Int.self, let integer = value as? Int { return .scalar(.number(String(integer))) }
        if T.self == Int64.self, let integer = value as? Int64 { return .scalar(.number(String(integer))) }
        // As `JSONEncoder` does: `Decimal`'s own conformance writes a keyed container.
        if T.self == Decimal.self, let decimal = value as? Decimal { return .scalar(.number(decimal.canonicalText)) }
        if T.self == JSONValue.self, let json = value as? JSONValue { return .scalar(json) }
        let child = EncodingNode()
        try value.encode(to: NodeEncoder(node: child, path: path))
        return child.slot ?? .scalar(.object([:]))
    }
}

struct KeyedNodeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let path: CodingPathNode
    var codingPath: [any CodingKey] { path.path }

    mutating func encodeNil(forKey key: Key) throws { node.set(key.stringValue, .scalar(.null)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { node.set(key.stringValue, .scalar(.bool(value))) }
    mutating func encode(_ value: String, forKey key: Key) throws { node.set(key.stringValue, .scalar(.string(value))) }
    mutating func encode(_ value: Int, forKey key: Key) throws { node.set(key.stringValue, .scalar(.number(String(value)))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { node.set(key.stringValue, .scalar(.number(String(value)))) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        node.set(key.stringValue, .scalar(try ScalarSpelling.double(value, path.path + [key])))
    }
    mutating func encode(_ value: Float, forKey key: Key) throws { try encode(Double(value), forKey: key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        node.set(key.stringValue, try ScalarSpelling.encode(value, at: .child(key, path)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = EncodingNode()
        child.makeObject()
        node.set(key.stringValue, .node(child))
        return KeyedEncodingContainer(KeyedNodeContainer<NestedKey>(node: child, path: .child(key, path)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = EncodingNode()
        child.makeArray()
        node.set(key.stringValue, .node(child))
        return UnkeyedNodeContainer(node: child, path: .child(key, path))
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = EncodingNode()
        child.makeObject()
        node.set(key.stringValue, .node(child))
        return NodeEncoder(node: child, path: .child(key, path))
    }
}

struct UnkeyedNodeContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    let path: CodingPathNode
    var codingPath: [any CodingKey] { path.path }
    var count: Int { node.count }

    mutating func encodeNil() throws { node.append(.scalar(.null)) }
    mutating func encode(_ value: Bool) throws { node.append(.scalar(.bool(value))) }
    mutating func encode(_ value: String) throws { node.append(.scalar(.string(value))) }
    mutating func encode(_ value: Int) throws { node.append(.scalar(.number(String(value)))) }
    mutating func encode(_ value: Int64) throws { node.append(.scalar(.number(String(value)))) }
    mutating func encode(_ value: Double) throws { node.append(.scalar(try ScalarSpelling.double(value, path.path + [IndexKey(count)]))) }
    mutating func encode(_ value: Float) throws { try encode(Double(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        node.append(try ScalarSpelling.encode(value, at: .child(IndexKey(count), path)))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = EncodingNode()
        child.makeObject()
        let childPath = CodingPathNode.child(IndexKey(count), path)
        node.append(.node(child))
        return KeyedEncodingContainer(KeyedNodeContainer<NestedKey>(node: child, path: childPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = EncodingNode()
        child.makeArray()
        let childPath = CodingPathNode.child(IndexKey(count), path)
        node.append(.node(child))
        return UnkeyedNodeContainer(node: child, path: childPath)
    }

    mutating func superEncoder() -> any Encoder {
        let child = EncodingNode()
        let childPath = CodingPathNode.child(IndexKey(count), path)
        node.append(.node(child))
        return NodeEncoder(node: child, path: childPath)
    }
}

struct SingleNodeContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    let path: CodingPathNode
    var codingPath: [any CodingKey] { path.path }

    mutating func encodeNil() throws { node.setScalar(.null) }
    mutating func encode(_ value: Bool) throws { node.setScalar(.bool(value)) }
    mutating func encode(_ value: String) throws { node.setScalar(.string(value)) }
    mutating func encode(_ value: Int) throws { node.setScalar(.number(String(value))) }
    mutating func encode(_ value: Int64) throws { node.setScalar(.number(String(value))) }
    mutating func encode(_ value: Double) throws { node.setScalar(try ScalarSpelling.double(value, path.path)) }
    mutating func encode(_ value: Float) throws { try encode(Double(value)) }
    // The other integer types: keyed and unkeyed containers reach these through their generic
    // `encode`, so each must end here rather than call back into `encode(to:)`.
    mutating func encode(_ value: Int8) throws { integer(value) }
    mutating func encode(_ value: Int16) throws { integer(value) }
    mutating func encode(_ value: Int32) throws { integer(value) }
    mutating func encode(_ value: UInt) throws { integer(value) }
    mutating func encode(_ value: UInt8) throws { integer(value) }
    mutating func encode(_ value: UInt16) throws { integer(value) }
    mutating func encode(_ value: UInt32) throws { integer(value) }
    mutating func encode(_ value: UInt64) throws { integer(value) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        if T.self == Decimal.self, let decimal = value as? Decimal { return node.setScalar(.number(decimal.canonicalText)) }
        if T.self == JSONValue.self, let json = value as? JSONValue { return node.setScalar(json) }
        try value.encode(to: NodeEncoder(node: node, path: path))
    }

    private func integer(_ value: some BinaryInteger) { node.setScalar(.number(String(value))) }
}
