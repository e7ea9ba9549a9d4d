import Foundation

/// Amounts and volumes as `Decimal`, stored as the JSON number that spells them exactly: money
/// never passes through a binary float on its way in or out of the log.
///
/// `Decimal`'s own `Codable` conformance writes a keyed container (mantissa, exponent…) to any
/// encoder but `JSONEncoder`; the canonical coders special-case it as `JSONEncoder` does, so a
/// payload field typed `Decimal` is a plain number in every path. An old field that held a
/// `Double` (a CDR's `total_cost` of 0) reads back as the same number.
extension Decimal: CanonicalReadable, CanonicalWritable {
    public init(reading value: CanonicalValue) throws { self = try value.decoder.decimal() }

    public func write(to writer: inout CanonicalWriter) { writer.bytes.append(contentsOf: canonicalText.utf8) }

    /// The shortest exact spelling, as JSON writes a number: `4`, `0.125`, `-1.5`: `description`'s
    /// text, which never uses an exponent and is independent of the locale.
    ///
    /// Spelled here from the significand (`DecimalText`): `description` took 6 µs a number, and the
    /// decimals of a CDR and its session were a tenth of a StopTransaction's CPU. Debug builds
    /// check every text against `description`.
    public var canonicalText: String {
        let text = DecimalText.spelling(self) ?? description
        assert(text == description, "\(text) is not the spelling of \(description)")
        return text
    }
}

/// Decimal text without `Decimal`'s own conversions, which divide its 128-bit mantissa by ten for
/// each digit.
enum DecimalText {
    /// `value` as `description` spells it: from its significand as a `UInt64` when it fits (most
    /// amounts and volumes: 0.04 µs), else from its archived parts (`DecimalParts`: the quotients
    /// of pricing's divisions, 38 digits long: 0.56 µs against `description`'s 6); `nil` for a value
    /// neither can read.
    static func spelling(_ value: Decimal) -> String? {
        guard value.isFinite else { return nil }
        if value.isZero { return "0" }
        let significand = value.significand
        let small = NSDecimalNumber(decimal: significand).uint64Value
        // `uint64Value` keeps only the low 64 bits of a larger significand: the round trip tells.
        if Decimal(small) == significand { return spelling(small, exponent: value.exponent, negative: value.sign == .minus) }
        guard let parts = DecimalParts(value) else { return nil }
        return spelling(parts.mantissa, exponent: parts.exponent, negative: parts.isNegative)
    }

    /// `mantissa` × 10^`exponent` (`mantissa` > 0) without an exponent or trailing fraction zeros.
    private static func spelling<Mantissa: UnsignedInteger>(_ mantissa: Mantissa, exponent: Int, negative: Bool) -> String {
        var mantissa = mantissa
        var exponent = exponent
        while exponent < 0, mantissa % 10 == 0 {
            mantissa /= 10
            exponent += 1
        }
        var digits = String(mantissa)
        if exponent > 0 {
            digits += String(repeating: "0", count: exponent)
        } else if exponent < 0 {
            let fraction = -exponent
            if digits.utf8.count > fraction {
                digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -fraction))
            } else {
                digits = "0." + String(repeating: "0", count: fraction - digits.utf8.count) + digits
            }
        }
        return negative ? "-" + digits : digits
    }

    /// How a number's text reads.
    enum Reading {
        /// Not JSON's number grammar (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`).
        case refused
        /// Read here: no exponent, and at most 19 digits, which fit a `UInt64`.
        case read(Decimal)
        /// A JSON number for `Decimal(string:)` to read: 2.3 µs a number against 0.05 here.
        case valid
    }

    /// Checks the grammar first (`JSONNumberSyntax`): `Decimal(string:)` alone reads the longest
    /// prefix it can, so `1.2.3` was 1.2 and `-` was 0.
    static func read(_ text: UnsafeBufferPointer<UInt8>) -> Reading {
        guard let number = try? JSONNumberSyntax.scan(text, from: 0), number.end == text.count else { return .refused }
        let negative = text.first == UInt8(ascii: "-")
        let digits = text.count - (negative ? 1 : 0) - (number.fraction == nil ? 0 : 1)
        guard !number.hasExponent, digits <= 19 else { return .valid }
        var mantissa: UInt64 = 0
        for byte in text where byte != UInt8(ascii: "-") && byte != UInt8(ascii: ".") {
            mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        // A zero has no sign (`Decimal` would read a negative one as NaN).
        if mantissa == 0 { return .read(.zero) }
        let fraction = number.fraction.map { text.count - $0 } ?? 0
        return .read(Decimal(sign: negative ? .minus : .plus, exponent: -fraction, significand: Decimal(mantissa)))
    }
}

extension ValueDecoder {
    /// Made once: a `Locale` made for every number was a quarter of the time a `Decimal` took to
    /// read (2.1 against 1.65 µs), and decimals are most of a CDR's and a session's numbers.
    private static let posix = Locale(identifier: "en_US_POSIX")

    func decimal() throws -> Decimal {
        let bytes = try numberText(Decimal.self)
        let text = { String(decoding: bytes, as: UTF8.self) }
        switch DecimalText.read(bytes) {
        case .read(let value):
            assert(value == Decimal(string: text(), locale: Self.posix), "\(text()) misread as \(value)")
            return value
        case .valid:
            if let value = Decimal(string: text(), locale: Self.posix), value.isFinite { return value }
        case .refused:
            break
        }
        throw document.corrupted("invalid number \(text())", at: offset, path: path)
    }
}
