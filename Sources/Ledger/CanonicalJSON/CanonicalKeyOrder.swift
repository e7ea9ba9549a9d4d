import Foundation

/// The canonical order of object keys: by their UTF-8 bytes. One definition for the canonical
/// text (`JSONValue`), the encoder that writes it and the decoder that bisects it.
@usableFromInline enum CanonicalKeyOrder {
    /// Negative, zero or positive as `a` sorts before, with or after `b`.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(a.count, b.count)
        if common > 0, let p = a.baseAddress, let q = b.baseAddress {
            let result = memcmp(p, q, common)
            if result != 0 { return Int(result) }
        }
        return a.count - b.count
    }

    static func compare(_ a: String, _ b: String) -> Int {
        var a = a
        var b = b
        return a.withUTF8 { x in b.withUTF8 { y in compare(x, y) } }
    }

    @usableFromInline static func precedes(_ a: String, _ b: String) -> Bool { compare(a, b) < 0 }
}
