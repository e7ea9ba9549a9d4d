import Foundation

/// A stored JSON payload, held as the bytes the decoder reads in place.
///
/// Why not a `String`: a replay reads a million payloads, and each went from SQLite into a
/// `String` (an allocation, a copy and a UTF-8 check) and from the `String` into the decoder's
/// own buffer (another allocation and copy). Read from SQLite, the bytes are copied once, into
/// the buffer decoding reads. Invalid UTF-8 is repaired where a string is read from it, as
/// `String(decoding:as:)` repaired the whole payload before.
public struct StoredJSON: Sendable, Equatable, CustomStringConvertible {
    let document: JSONDocument

    public init(_ text: String) {
        document = .copying(text)
    }

    init(copying bytes: UnsafeBufferPointer<UInt8>) {
        document = JSONDocument(copying: bytes)
    }

    /// The payload as text: for an upcaster, an error message, a comparison.
    public var text: String { String(decoding: document.slice(0..<document.count), as: UTF8.self) }

    public var description: String { text }

    public static func == (lhs: StoredJSON, rhs: StoredJSON) -> Bool {
        lhs.document === rhs.document || lhs.document.slice(0..<lhs.document.count).elementsEqual(rhs.document.slice(0..<rhs.document.count))
    }
}
