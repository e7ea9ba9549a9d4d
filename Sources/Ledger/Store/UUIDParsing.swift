import Foundation

extension UUID {
    /// Parses the 36-character `8-4-4-4-12` hex form, in either case, as `UUID(uuidString:)` does.
    ///
    /// Every event read from the store carries one; Foundation's parser goes through `sscanf`,
    /// which was several percent of a replay.
    init?(hexString text: String) {
        var text = text
        guard let parsed = text.withUTF8(UUID.init(hexBytes:)) else { return nil }
        self = parsed
    }

    /// The same, from UTF-8 bytes as SQLite returns them: no string, no array.
    init?(hexBytes bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 36 else { return nil }
        var octets: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let complete = withUnsafeMutableBytes(of: &octets) { octets -> Bool in
            var octet = 0
            var index = 0
            while index < 36 {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard bytes[index] == UInt8(ascii: "-") else { return false }
                    index += 1
                    continue
                }
                guard let high = Self.nibble(bytes[index]), let low = Self.nibble(bytes[index + 1]) else { return false }
                octets[octet] = high << 4 | low
                octet += 1
                index += 2
            }
            return true
        }
        guard complete else { return nil }
        self.init(uuid: octets)
    }

    /// By arithmetic, not range patterns (which did not compile down to comparisons): this runs
    /// 32 times per event read.
    private static func nibble(_ byte: UInt8) -> UInt8? {
        let digit = byte &- UInt8(ascii: "0")
        if digit < 10 { return digit }
        let letter = (byte | 0x20) &- UInt8(ascii: "a")  // either case
        return letter < 6 ? letter + 10 : nil
    }
}
