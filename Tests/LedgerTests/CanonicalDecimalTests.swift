import Foundation
import Testing

@testable import Ledger

/// Decimals are read and spelled without `Decimal`'s slow conversions when their digits fit 64
/// bits, and by `Decimal` otherwise: either way the value `Decimal(string:)` reads and the text
/// `description` writes.
@Suite("Canonical decimals")
struct CanonicalDecimalTests {
    /// Amounts and volumes as they come, the edges of the 64-bit path, and numbers past it.
    static let numbers = [
        "0", "-0", "0.0", "7", "-7", "0.5", "-0.125", "18.456", "1.50", "100", "1000.000", "0.0000000000000000001",
        "9999999999999999999", "-9999999999999999999", "1844674407370955.1615", "18446744073709551615",
        "18446744073709551616", "123456789012345678901234567890", "-1234567890.12345678901234567890", "1e3", "2.5E-3",
        "-0.0000000000000000000000000000001", "340282366920938463463374607431768211455", "-3.4028236692093846346337460743176821145",
    ]

    @Test("every number reads as Decimal(string:) reads it", arguments: numbers)
    func reads(text: String) throws {
        let read = try CanonicalDecoder.decode([Decimal].self, from: "[\(text)]")
        #expect(read == [try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))])
    }

    @Test("every number is spelled as description spells it, and reads back as itself", arguments: numbers)
    func spells(text: String) throws {
        let value = try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
        #expect(value.canonicalText == value.description)
        #expect(try CanonicalDecoder.decode([Decimal].self, from: "[\(value.canonicalText)]") == [value])
    }

    /// Pricing's quotients have 38 digits: past 64 bits, spelled from the archived parts.
    @Test("results of arithmetic, 38-digit quotients among them, are spelled as description spells them")
    func spellsArithmetic() throws {
        let price = Decimal(string: "0.35")!
        for volume in ["18.456", "0.001", "1234.5", "11", "-2"].map({ Decimal(string: $0)! }) {
            for value in [
                price * volume, volume / 3, volume / 7, -volume / 3600, price * volume / 3, -volume * 100, volume - volume,
                Decimal(sign: .plus, exponent: 5, significand: volume), Decimal(sign: .minus, exponent: -30, significand: volume / 3),
            ] {
                #expect(value.canonicalText == value.description)
                #expect(try CanonicalDecoder.decode([Decimal].self, from: "[\(value.canonicalText)]") == [value])
            }
        }
    }

    /// The wide path must not quietly fall back to `description`, which the tests above could not tell.
    @Test("a 38-digit quotient's significand, exponent and sign are read from its archived form")
    func readsArchivedParts() throws {
        let quotient = -Decimal(2) / 3
        let parts = try #require(DecimalParts(quotient))
        // Foundation's division truncates at 38 digits.
        #expect(parts.mantissa == UInt128("66666666666666666666666666666666666666"))
        #expect(parts.exponent == -38 && parts.isNegative)
        #expect(DecimalText.spelling(quotient) == "-0.66666666666666666666666666666666666666")
        #expect(quotient.description == "-0.66666666666666666666666666666666666666")
    }

    @Test("a number that is not JSON is refused, not read", arguments: ["[1.]", "[.5]", "[01]", "[-]", "[1.2.3]", "[--1]"])
    func refuses(document: String) {
        #expect(throws: (any Error).self) { try CanonicalDecoder.decode([Decimal].self, from: document) }
    }
}
