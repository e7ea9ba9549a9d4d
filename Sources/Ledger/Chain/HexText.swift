import Crypto
import Foundation

/// Bytes as hexadecimal text, two digits per byte: event hashes, token and body digests, ids.
///
/// Written by hand rather than with `String(format: "%02x")` per byte, which went through
/// Foundation's format parser and a dynamic cast for every byte. The two digests a START_SESSION
/// makes (the caller's token, the body) were ~10 % of its profile, 2–4 % of its CPU measured
/// (docs/performance.md, issue 31).
extension Sequence<UInt8> {
    /// Lower-case digits, as SHA-256 digests are usually spelled.
    public var hexString: String { hex(digits: HexDigits.lower) }

    /// Upper-case digits.
    public var upperHexString: String { hex(digits: HexDigits.upper) }

    /// From the bytes where they lie when the sequence has them in one piece (an array, `Data`):
    /// read one generic step at a time, from outside this module, a byte cost more than its two
    /// digits.
    private func hex(digits: [UInt8]) -> String {
        withContiguousStorageIfAvailable { HexDigits.text(of: UnsafeRawBufferPointer($0), digits) }
            ?? HexDigits.text(of: Array(self), digits)
    }
}

extension Digest {
    /// Lower-case digits, read from the digest in place (as a `Sequence` it has no contiguous
    /// storage to lend, and was copied a byte at a time: ~1 % of a START_SESSION's CPU, issue 31).
    public var hexString: String { self.withUnsafeBytes { HexDigits.text(of: $0, HexDigits.lower) } }
}

/// The digits, as bytes: also what JSON's `\u00XX` escapes are spelled with (`JSONValue`).
enum HexDigits {
    static let lower = Array("0123456789abcdef".utf8)
    static let upper = Array("0123456789ABCDEF".utf8)

    /// `bytes` in `digits`, written straight into the string's storage.
    static func text(of bytes: UnsafeRawBufferPointer, _ digits: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { output in
            for (index, byte) in bytes.enumerated() {
                output[2 * index] = digits[Int(byte >> 4)]
                output[2 * index + 1] = digits[Int(byte & 0xF)]
            }
            return bytes.count * 2
        }
    }

    static func text(of bytes: [UInt8], _ digits: [UInt8]) -> String {
        bytes.withUnsafeBytes { text(of: $0, digits) }
    }
}
