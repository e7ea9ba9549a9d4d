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

    private func hex(digits: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// The digits, as bytes: also what JSON's `\u00XX` escapes are spelled with (`JSONValue`).
enum HexDigits {
    static let lower = Array("0123456789abcdef".utf8)
    static let upper = Array("0123456789ABCDEF".utf8)
}
