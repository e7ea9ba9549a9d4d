/// A parsed JSON document, kept exactly enough to be written back canonically.
///
/// Numbers keep the literal text they were written with: the ledger never rounds a meter reading
/// or an amount through `Double`, and re-encoding a stored event reproduces its bytes.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's literal, validated against the JSON grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var int64Value: Int64? {
        if case .number(let literal) = self { return Int64(literal) }
        return nil
    }
}

extension JSONValue {
    /// Parses one JSON document (RFC 8259); trailing content, duplicate keys, lone surrogates
    /// and control characters in strings are errors.
    public init(parsing bytes: some Collection<UInt8>) throws(JSONSyntaxError) {
        let array = Array(bytes)
        var parser = JSONParser(bytes: array)
        self = try parser.parseDocument()
    }

    public init(parsing text: String) throws(JSONSyntaxError) {
        try self.init(parsing: text.utf8)
    }

    /// The canonical text: object keys sorted by their UTF-8 bytes, no insignificant whitespace,
    /// strings escaped minimally (only `"`, `\` and control characters), numbers as written.
    public var canonicalText: String {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        write(to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    func write(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let literal): output.append(contentsOf: literal.utf8)
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.write(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted(by: CanonicalKeyOrder.precedes)
            for (index, key) in keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &output)
                output.append(UInt8(ascii: ":"))
                members[key]!.write(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    @usableFromInline static func writeString(_ value: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            // Nearly every string needs no escape: find that out eight bytes at a time and copy
            // it in one go (this runs for every key and string of every row a replay writes).
            guard needsEscape(bytes) else {
                output.append(contentsOf: bytes)
                return
            }
            // Runs of bytes that need no escape are copied in one go.
            var runStart = 0
            for (index, byte) in bytes.enumerated() where needsEscape(byte) {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                output.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): output.append(byte)
                case 0x0A: output.append(UInt8(ascii: "n"))
                case 0x0D: output.append(UInt8(ascii: "r"))
                case 0x09: output.append(UInt8(ascii: "t"))
                case 0x08: output.append(UInt8(ascii: "b"))
                case 0x0C: output.append(UInt8(ascii: "f"))
                default:
                    output.append(UInt8(ascii: "u"))
                    output.append(UInt8(ascii: "0"))
                    output.append(UInt8(ascii: "0"))
                    output.append(HexDigits.lower[Int(byte >> 4)])
                    output.append(HexDigits.lower[Int(byte & 0xF)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Whether any byte is a control character, `"` or `\`. Eight bytes per step: a lane is
    /// flagged when it is below 0x20 or equal to 0x22 or 0x5C (bytes of 0x80 and up, UTF-8's
    /// multi-byte sequences, never are).
    @usableFromInline static func needsEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        /// Lanes of `word` that are zero have their high bit set (exact for lanes below 0x80).
        func zeroLanes(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highs }
        var index = 0
        while index + 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self))
            // A lane below 0x20 has its high bit set in `word - 0x20…` (unless it is 0x80 or up,
            // masked off by `~word`).
            let control = (word &- ones &* 0x20) & ~word & highs
            if control | zeroLanes(word ^ (ones &* 0x22)) | zeroLanes(word ^ (ones &* 0x5C)) != 0 { return true }
            index += 8
        }
        while index < bytes.count {
            if needsEscape(bytes[index]) { return true }
            index += 1
        }
        return false
    }

    /// A control character, `"` or `\`: what a JSON string must escape.
    @usableFromInline static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }
}

/// Where and why a JSON text was refused.
public struct JSONSyntaxError: Error, CustomStringConvertible, Sendable {
    public let offset: Int
    public let reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
