import Foundation

extension UUID {
    /// Parses the 36-character `8-4-4-4-12` hex form, in either case, as `UUID(uuidString:)` does.
    ///
    /// Every event read from the store carries one; Foundation's parser goes through `sscanf`,
    /// which was several percent of a replay.
    init?(hexString text: String) {
        var text = text
        let parsed = text.withUTF8 { bytes -> uuid_t? in
            guard bytes.count == 36 else { return nil }
            var octets = [UInt8](repeating: 0, count: 16)
            var octet = 0
            var index = 0
            while index < 36 {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard bytes[index] == UInt8(ascii: "-") else { return nil }
                    index += 1
                    continue
                }
                guard let high = Self.nibble(bytes[index]), let low = Self.nibble(bytes[index + 1]) else { return nil }
                octets[octet] = high << 4 | low
                octet += 1
                index += 2
            }
            return (octets[0], octets[1], octets[2], octets[3], octets[4], octets[5], octets[6], octets[7],
                    octets[8], octets[9], octets[10], octets[11], octets[12], octets[13], octets[14], octets[15])
        }
        guard let parsed else { return nil }
        self.init(uuid: parsed)
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
