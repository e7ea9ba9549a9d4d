import Foundation

/// Decodes `Decodable` values from the JSON the ledger stores, reading fields straight from the
/// bytes instead of building a tree or a dictionary per object first.
///
/// Why not `JSONDecoder`: a replay decodes every event and every fold on the live path decodes
/// the rows it changes; Foundation's decoder hashed every key of every object and was the largest
/// single cost of a replay. Stored objects have their keys sorted (canonical JSON), so a field is
/// found by binary search over the object's members; any other order still decodes, by a scan.
///
/// Errors are the standard `DecodingError`s with the coding path, so a malformed event is named
/// by field as before.
public enum CanonicalDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try decode(type, from: .copying(text))
    }

    static func decode<T: Decodable>(_ type: T.Type, from document: JSONDocument) throws -> T {
        try ValueDecoder.root(of: document).decode(T.self)
    }
}

/// The bytes being decoded, kept for as long as any container reads them: a copy the document
/// owns, or a range of a page of payloads (`PayloadBytes`) it keeps alive. Never written after
/// `init`: shared between threads as freely as a `let` array.
@usableFromInline final class JSONDocument: @unchecked Sendable {
    private let storage: UnsafeBufferPointer<UInt8>
    /// The page `storage` lies in, or `nil` when the document copied its bytes (and frees them).
    private let page: PayloadBytes?
    var count: Int { storage.count }
    /// Where the document's one value starts and ends (whitespace trimmed), so that a root object
    /// is checked for trailing content by the scan that finds its members, not by a scan of its own.
    let rootStart: Int
    let rootEnd: Int

    static func copying(_ text: String) -> JSONDocument {
        var text = text
        return text.withUTF8(JSONDocument.init(copying:))
    }

    /// A copy of `bytes`.
    convenience init(copying bytes: UnsafeBufferPointer<UInt8>) {
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = copy.initialize(from: bytes)
        self.init(UnsafeBufferPointer(copy), in: nil)
    }

    /// The payload at `range` of a page, read where it lies.
    convenience init(_ range: Range<Int>, of page: PayloadBytes) {
        self.init(page.bytes(range), in: page)
    }

    private init(_ storage: UnsafeBufferPointer<UInt8>, in page: PayloadBytes?) {
        self.storage = storage
        self.page = page
        var start = 0
        var end = storage.count
        while start < end, Self.isWhitespace(storage[start]) { start += 1 }
        while end > start, Self.isWhitespace(storage[end - 1]) { end -= 1 }
        rootStart = start
        rootEnd = end
    }

    deinit {
        if page == nil { UnsafeMutableBufferPointer(mutating: storage).deallocate() }
    }

    subscript(index: Int) -> UInt8 { storage[index] }

    /// The document as text, for messages.
    var text: String { String(decoding: storage, as: UTF8.self) }

    func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: storage[range]) }

    func corrupted(_ reason: String, at offset: Int, path: CodingPathNode) -> DecodingError {
        .dataCorrupted(.init(codingPath: path.path, debugDescription: "invalid JSON at byte \(offset): \(reason)"))
    }

    func trailingContent(after end: Int) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: "unexpected content after the JSON value at byte \(end)"))
    }

    /// The root object (the one at `rootStart`) must be all the document holds (see `ValueDecoder.root`).
    func checkEnd(ofObjectAt offset: Int, closingAt brace: Int) throws {
        if offset == rootStart, brace + 1 != rootEnd { throw trailingContent(after: brace + 1) }
    }

    func skipWhitespace(_ index: Int) -> Int {
        var index = index
        while index < count, Self.isWhitespace(storage[index]) { index += 1 }
        return index
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The index just past the string whose opening quote is at `index`.
    func skipString(_ index: Int, path: CodingPathNode) throws -> Int {
        var index = index + 1
        while index < count {
            let stop = quoteOrBackslash(from: index)
            guard stop < count else {
                index = count
                break
            }
            if storage[stop] == UInt8(ascii: "\"") { return stop + 1 }
            index = stop + 2
        }
        throw corrupted("unterminated string", at: index, path: path)
    }

    /// The first `"` or `\` at or after `index`, or `count`: by `memchr`, because every string
    /// is scanned two or three times (a request body is hundreds of bytes) and a loop over its
    /// bytes was the decoder's largest cost.
    private func quoteOrBackslash(from index: Int) -> Int {
        guard let base = storage.baseAddress else { return count }
        let quote =
            memchr(base + index, Int32(UInt8(ascii: "\"")), count - index).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base }
            ?? count
        let backslash = memchr(base + index, Int32(UInt8(ascii: "\\")), quote - index).map {
            UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base
        }
        return backslash ?? quote
    }

    /// The index just past the value that starts at `index`. Nested values are only matched
    /// up, not checked: each is checked when (and if) a container reads it.
    func skipValue(_ index: Int, path: CodingPathNode) throws -> Int {
        guard index < count else { throw corrupted("unexpected end of input", at: index, path: path) }
        switch storage[index] {
        case UInt8(ascii: "\""):
            return try skipString(index, path: path)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var cursor = index
            while cursor < count {
                switch storage[cursor] {
                case UInt8(ascii: "\""):
                    cursor = try skipString(cursor, path: path)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return cursor + 1 }
                default: break
                }
                cursor += 1
            }
            throw corrupted("unterminated object or array", at: index, path: path)
        case UInt8(ascii: "t"): return try skipLiteral("true", index, path)
        case UInt8(ascii: "f"): return try skipLiteral("false", index, path)
        case UInt8(ascii: "n"): return try skipLiteral("null", index, path)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            var cursor = index + 1
            while cursor < count, Self.isNumberByte(storage[cursor]) { cursor += 1 }
            return cursor
        default:
            throw corrupted("unexpected character", at: index, path: path)
        }
    }

    private func skipLiteral(_ literal: StaticString, _ index: Int, _ path: CodingPathNode) throws -> Int {
        let length = literal.utf8CodeUnitCount
        guard index + length <= count, slice(index..<index + length).elementsEqual(UnsafeBufferPointer(start: literal.utf8Start, count: length))
        else {
            throw corrupted("invalid literal", at: index, path: path)
        }
        return index + length
    }

    static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    /// The string whose opening quote is at `index`.
    func readString(_ index: Int, path: CodingPathNode) throws -> String {
        let stop = plainEnd(ofStringAt: index)
        guard stop < count else { throw corrupted("unterminated string", at: index, path: path) }
        if storage[stop] == UInt8(ascii: "\\") { return try readEscapedString(index, path: path) }
        return String(decoding: slice(index + 1..<stop), as: UTF8.self)
    }

    /// The bytes of the string whose opening quote is at `index`, if it has no escapes (`nil`
    /// if it has, or is unterminated): for values parsed where they are, without a `String`.
    func unescapedString(_ index: Int) -> UnsafeBufferPointer<UInt8>? {
        let stop = plainEnd(ofStringAt: index)
        guard stop < count, storage[stop] == UInt8(ascii: "\"") else { return nil }
        return slice(index + 1..<stop)
    }

    /// Where the string whose opening quote is at `index` stops being plain text: its closing
    /// quote, its first backslash, or `count` if neither comes.
    private func plainEnd(ofStringAt index: Int) -> Int {
        index + 1 < count ? quoteOrBackslash(from: index + 1) : count
    }
}

extension JSONDocument {
    /// A string with escapes (a verbatim request body, say): the two-character escapes are
    /// resolved here; one with a `\\u` escape goes to the strict parser, which pairs surrogates.
    private func readEscapedString(_ index: Int, path: CodingPathNode) throws -> String {
        let end = try skipString(index, path: path)
        var needsParser = false
        // Resolved straight into the string's storage (repaired as `String(decoding:)` would):
        // one allocation, where a buffer and a string made of it were two.
        let text = String(unsafeUninitializedCapacity: end - index) { output in
            var count = 0
            var cursor = index + 1
            while cursor < end - 1 {
                let byte = self[cursor]
                guard byte == UInt8(ascii: "\\") else {
                    output[count] = byte
                    count += 1
                    cursor += 1
                    continue
                }
                guard let resolved = JSONParser.twoCharacterEscape(self[cursor + 1]) else {
                    needsParser = true
                    return 0
                }
                output[count] = resolved
                count += 1
                cursor += 2
            }
            return count
        }
        guard needsParser else { return text }
        var parser = JSONParser(bytes: Array(slice(index..<end)))
        do { return try parser.parseString() } catch { throw corrupted(error.reason, at: index + error.offset, path: path) }
    }
}

/// One value in the document: what every container hands out and reads scalars through.
struct ValueDecoder: Decoder {
    let document: JSONDocument
    let offset: Int
    let path: CodingPathNode
    var codingPath: [any CodingKey] { path.path }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try ObjectContainer<Key>(self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { try ArrayContainer(self) }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(value: self) }

    /// The one value of `document`, which must hold nothing else but whitespace. An object (every
    /// stored payload and row) is checked for content after it when its members are scanned, which
    /// every keyed decode does first: scanning the whole document here as well read it twice.
    static func root(of document: JSONDocument) throws -> ValueDecoder {
        let start = document.rootStart
        if start == document.count || document[start] != UInt8(ascii: "{") {
            let end = try document.skipValue(start, path: .root)
            guard end == document.rootEnd else { throw document.trailingContent(after: end) }
        }
        return ValueDecoder(document: document, offset: start, path: .root)
    }

    /// The value at `offset` in the same document, one level down.
    func child(at offset: Int, _ key: any CodingKey) -> ValueDecoder {
        ValueDecoder(document: document, offset: offset, path: .child(key, path))
    }

    /// Where each element of this array starts. Shared by the Codable container and
    /// `CanonicalReadable` readers, so both accept and refuse the same documents.
    func elements() throws -> [Int] {
        guard byte == UInt8(ascii: "[") else { throw mismatch([String].self, expected: "an array") }
        var elements: [Int] = []
        var cursor = document.skipWhitespace(offset + 1)
        if cursor < document.count, document[cursor] == UInt8(ascii: "]") { return [] }
        while true {
            elements.append(cursor)
            cursor = document.skipWhitespace(try document.skipValue(cursor, path: path))
            guard cursor < document.count else { throw document.corrupted("unterminated array", at: cursor, path: path) }
            if document[cursor] == UInt8(ascii: ",") {
                cursor = document.skipWhitespace(cursor + 1)
                continue
            }
            if document[cursor] == UInt8(ascii: "]") { return elements }
            throw document.corrupted("expected ',' or ']'", at: cursor, path: path)
        }
    }

    var byte: UInt8? { offset < document.count ? document[offset] : nil }
    var isNull: Bool { byte == UInt8(ascii: "n") }

    func mismatch<T>(_ type: T.Type, expected: String) -> DecodingError {
        if isNull {
            return .valueNotFound(type, .init(codingPath: path.path, debugDescription: "expected \(expected) but found null"))
        }
        return .typeMismatch(type, .init(codingPath: path.path, debugDescription: "expected \(expected)"))
    }

    /// Strings and integers (the common array elements and fields) without a container of their own.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == String.self { return try string() as! T }
        if T.self == Int.self { return try integer(Int.self) as! T }
        if T.self == Int64.self { return try integer(Int64.self) as! T }
        // As `JSONDecoder` does: `Decimal`'s own conformance expects a keyed container.
        if T.self == Decimal.self { return try decimal() as! T }
        if T.self == JSONValue.self { return try json() as! T }
        return try T(from: self)
    }

    func string() throws -> String {
        guard byte == UInt8(ascii: "\"") else { throw mismatch(String.self, expected: "a string") }
        return try document.readString(offset, path: path)
    }

    /// A timestamp parsed from the document's bytes, not through a `String`: 24 bytes are past
    /// Swift's inline strings, so each timestamp read was an allocation. An escaped one (valid,
    /// if odd) takes `string()`; both reach the same parser.
    func timestamp() throws -> Timestamp? {
        guard byte == UInt8(ascii: "\""), let bytes = document.unescapedString(offset) else { return Timestamp(iso8601: try string()) }
        return Timestamp(iso8601: bytes)
    }

    func bool() throws -> Bool {
        switch byte {
        case UInt8(ascii: "t"): true
        case UInt8(ascii: "f"): false
        default: throw mismatch(Bool.self, expected: "true or false")
        }
    }

    func numberText<T>(_ type: T.Type) throws -> UnsafeBufferPointer<UInt8> {
        guard let byte, byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
            throw mismatch(type, expected: "a number")
        }
        var end = offset + 1
        while end < document.count, JSONDocument.isNumberByte(document[end]) { end += 1 }
        return document.slice(offset..<end)
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let text = try numberText(type)
        var value: T = 0
        var negative = false
        var digits = text[...]
        if digits.first == UInt8(ascii: "-") {
            negative = true
            digits = digits.dropFirst()
        }
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else {
                // "7.0" or "1e3": accepted when it is a whole number that fits, as JSONDecoder does.
                guard let double = Double(String(decoding: text, as: UTF8.self)), let exact = T(exactly: double) else {
                    throw DecodingError.dataCorrupted(
                        .init(codingPath: path.path, debugDescription: "\(String(decoding: text, as: UTF8.self)) does not fit in \(T.self)")
                    )
                }
                return exact
            }
            let (times, overflowA) = value.multipliedReportingOverflow(by: 10)
            let delta = T(digit - UInt8(ascii: "0"))
            let (next, overflowB) = negative ? times.subtractingReportingOverflow(delta) : times.addingReportingOverflow(delta)
            guard !overflowA, !overflowB else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: path.path, debugDescription: "\(String(decoding: text, as: UTF8.self)) does not fit in \(T.self)")
                )
            }
            value = next
        }
        guard !digits.isEmpty else { throw document.corrupted("invalid number", at: offset, path: path) }
        return value
    }

    func double() throws -> Double {
        let text = String(decoding: try numberText(Double.self), as: UTF8.self)
        guard let value = Double(text) else { throw document.corrupted("invalid number \(text)", at: offset, path: path) }
        return value
    }
}

/// An object's members, found once: where each key and value starts. Shared by the Codable
/// containers and `CanonicalReadable` readers, so both accept and refuse the same documents.
@usableFromInline struct ObjectMembers {
    struct Member {
        let key: Range<Int>
        /// The key when it had escapes (then `key` is not its spelling).
        let escapedKey: String?
        let value: Int
    }

    let document: JSONDocument
    let members: [Member]
    /// Keys in byte order, as canonical JSON writes them: lookups can bisect.
    let sorted: Bool

    init(_ object: ValueDecoder) throws {
        guard object.byte == UInt8(ascii: "{") else { throw object.mismatch([String: String].self, expected: "an object") }
        let document = object.document
        self.document = document
        var members: [Member] = []
        // Room for a stored event's members at once: grown from empty, the array was reallocated
        // four or five times per object (15 % of a replay's decoding).
        members.reserveCapacity(16)
        var sorted = true
        var cursor = document.skipWhitespace(object.offset + 1)
        if cursor < document.count, document[cursor] == UInt8(ascii: "}") {
            try document.checkEnd(ofObjectAt: object.offset, closingAt: cursor)
            self.members = []
            self.sorted = true
            return
        }
        while true {
            guard cursor < document.count, document[cursor] == UInt8(ascii: "\"") else {
                throw document.corrupted("expected a key", at: cursor, path: object.path)
            }
            let keyEnd = try document.skipString(cursor, path: object.path)
            let key = cursor + 1..<keyEnd - 1
            var escaped: String?
            if document.slice(key).contains(UInt8(ascii: "\\")) { escaped = try document.readString(cursor, path: object.path) }
            cursor = document.skipWhitespace(keyEnd)
            guard cursor < document.count, document[cursor] == UInt8(ascii: ":") else {
                throw document.corrupted("expected ':'", at: cursor, path: object.path)
            }
            let value = document.skipWhitespace(cursor + 1)
            if let previous = members.last, sorted,
                escaped != nil || previous.escapedKey != nil || CanonicalKeyOrder.compare(document.slice(previous.key), document.slice(key)) >= 0
            {
                sorted = false
            }
            members.append(Member(key: key, escapedKey: escaped, value: value))
            cursor = document.skipWhitespace(try document.skipValue(value, path: object.path))
            guard cursor < document.count else { throw document.corrupted("unterminated object", at: cursor, path: object.path) }
            if document[cursor] == UInt8(ascii: ",") {
                cursor = document.skipWhitespace(cursor + 1)
                continue
            }
            if document[cursor] == UInt8(ascii: "}") { break }
            throw document.corrupted("expected ',' or '}'", at: cursor, path: object.path)
        }
        try document.checkEnd(ofObjectAt: object.offset, closingAt: cursor)
        self.members = members
        self.sorted = sorted
    }

    /// Where the value of the member named `key` starts, if the object has it.
    @usableFromInline func find(_ key: String) -> Int? {
        var name = key
        return name.withUTF8 { wanted -> Int? in
            if sorted {
                var low = 0
                var high = members.count
                while low < high {
                    let middle = (low + high) / 2
                    let order = CanonicalKeyOrder.compare(document.slice(members[middle].key), wanted)
                    if order == 0 { return members[middle].value }
                    if order < 0 { low = middle + 1 } else { high = middle }
                }
                return nil
            }
            for member in members {
                if let escaped = member.escapedKey {
                    if escaped == key { return member.value }
                } else if CanonicalKeyOrder.compare(document.slice(member.key), wanted) == 0 {
                    return member.value
                }
            }
            return nil
        }
    }

    /// Each member's name and where its value starts, as `Dictionary`'s `Decodable` conformance
    /// reads an object (`allKeys`, then the value `find` finds for each: the first for a name that
    /// appears twice, which only an object out of canonical order can hold).
    @usableFromInline func named() -> [(name: String, value: Int)] {
        members.map { member in
            let name = member.escapedKey ?? String(decoding: document.slice(member.key), as: UTF8.self)
            return (name, sorted ? member.value : find(name) ?? member.value)
        }
    }

    /// Where the value of `key` starts, unless it is absent or `null`: "not present", as with
    /// JSONDecoder's `decodeIfPresent`.
    @usableFromInline func findPresent(_ key: String) -> Int? {
        guard let offset = find(key), document[offset] != UInt8(ascii: "n") else { return nil }
        return offset
    }
}

/// An object's members as a Codable container.
struct ObjectContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: ValueDecoder
    private let members: ObjectMembers
    var codingPath: [any CodingKey] { object.path.path }
    private var document: JSONDocument { object.document }

    init(_ object: ValueDecoder) throws {
        self.object = object
        members = try ObjectMembers(object)
    }

    private func value(_ key: Key) throws -> ValueDecoder {
        guard let offset = members.find(key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for key \"\(key.stringValue)\""))
        }
        return object.child(at: offset, key)
    }

    var allKeys: [Key] {
        members.members.compactMap { member in
            Key(stringValue: member.escapedKey ?? String(decoding: document.slice(member.key), as: UTF8.self))
        }
    }

    func contains(_ key: Key) -> Bool { members.find(key.stringValue) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key).isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(key).bool() }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(key).string() }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(key).double() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(key).integer(Int.self) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(key).integer(Int64.self) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try value(key).decode(T.self) }

    /// Absent and `null` are both "not present", as with JSONDecoder; one lookup instead of the
    /// default's three.
    private func present(_ key: Key) -> ValueDecoder? {
        members.findPresent(key.stringValue).map { object.child(at: $0, key) }
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(key)?.bool() }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(key)?.string() }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(key)?.double() }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key)?.integer(Int.self) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(key)?.integer(Int64.self) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try present(key)?.decode(T.self) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try value(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try value(key).unkeyedContainer() }

    func superDecoder() throws -> any Decoder { try superDecoder(forKey: Key(stringValue: "super")!) }

    func superDecoder(forKey key: Key) throws -> any Decoder { try value(key) }
}

/// An array's elements, found once when the container is made.
struct ArrayContainer: UnkeyedDecodingContainer {
    let array: ValueDecoder
    private let elements: [Int]
    private(set) var currentIndex = 0
    var codingPath: [any CodingKey] { array.path.path }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    init(_ array: ValueDecoder) throws {
        self.array = array
        elements = try array.elements()
    }

    private mutating func next<T>(_ type: T.Type) throws -> ValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type,
                .init(codingPath: codingPath + [IndexKey(currentIndex)], debugDescription: "the array has no more elements")
            )
        }
        defer { currentIndex += 1 }
        return array.child(at: elements[currentIndex], IndexKey(currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, array.document[elements[currentIndex]] == UInt8(ascii: "n") else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type).bool() }
    mutating func decode(_ type: String.Type) throws -> String { try next(type).string() }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type).double() }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type).integer(Int.self) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type).integer(Int64.self) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type).decode(T.self) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next([String: String].self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next([String].self).unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next(ValueDecoder.self) }
}

struct SingleContainer: SingleValueDecodingContainer {
    let value: ValueDecoder
    var codingPath: [any CodingKey] { value.path.path }

    func decodeNil() -> Bool { value.isNull }
    func decode(_ type: Bool.Type) throws -> Bool { try value.bool() }
    func decode(_ type: String.Type) throws -> String { try value.string() }
    func decode(_ type: Double.Type) throws -> Double { try value.double() }
    func decode(_ type: Float.Type) throws -> Float { Float(try value.double()) }
    func decode(_ type: Int.Type) throws -> Int { try value.integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try value.integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try value.integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try value.integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try value.integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try value.integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try value.integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try value.integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try value.integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try value.integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try value.decode(T.self) }
}
