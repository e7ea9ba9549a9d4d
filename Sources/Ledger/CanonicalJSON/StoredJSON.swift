import Foundation

/// A stored JSON payload, held as the bytes the decoder reads in place.
///
/// Why not a `String`: a replay reads a million payloads, and each went from SQLite into a
/// `String` (an allocation, a copy and a UTF-8 check) and from the `String` into the decoder's
/// own buffer (another allocation and copy). Read from SQLite, a page's payloads are copied once,
/// side by side into one buffer (`PayloadBytes`), and decoded where they lie. Invalid UTF-8 is
/// repaired where a string is read from it, as `String(decoding:as:)` repaired the whole payload
/// before.
public struct StoredJSON: Sendable, Equatable, CustomStringConvertible {
    private let page: PayloadBytes
    private let range: Range<Int>

    public init(_ text: String) {
        var text = text
        page = text.withUTF8 { bytes in
            let page = PayloadBytes(capacity: bytes.count)
            _ = page.append(bytes)
            return page
        }
        range = 0..<page.count
    }

    /// The payload at `range` of `page` (once the page is read: see `PayloadBytes`).
    init(_ range: Range<Int>, of page: PayloadBytes) {
        self.page = page
        self.range = range
    }

    /// A document to decode, reading the bytes where they lie.
    var document: JSONDocument { JSONDocument(range, of: page) }

    /// The payload as text: for an upcaster, an error message, a comparison.
    public var text: String { String(decoding: page.bytes(range), as: UTF8.self) }

    public var description: String { text }

    public static func == (lhs: StoredJSON, rhs: StoredJSON) -> Bool {
        lhs.page.bytes(lhs.range).elementsEqual(rhs.page.bytes(rhs.range))
    }
}

/// The payloads of one read, side by side in one buffer: one allocation per page of events
/// rather than two per event (a document and its copy of the bytes were a third of a replay's
/// allocations).
///
/// Appended to only by the read that makes it, before it hands out any `StoredJSON` of it;
/// after that it is never written, so its bytes are read from any thread without a lock, and
/// they stay where they are (growing moves them, and only the read grows it).
final class PayloadBytes: @unchecked Sendable {
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 1)
        base = malloc(self.capacity)!
    }

    deinit { free(base) }

    /// Copies `bytes` to the end; returns where they now are.
    func append(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        if count + bytes.count > capacity {
            // Doubling with `realloc`: a large block is remapped, not copied.
            while count + bytes.count > capacity { capacity *= 2 }
            base = realloc(base, capacity)!
        }
        if let source = bytes.baseAddress { (base + count).copyMemory(from: source, byteCount: bytes.count) }
        count += bytes.count
        return count - bytes.count..<count
    }

    func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self) + range.lowerBound, count: range.count)
    }
}
