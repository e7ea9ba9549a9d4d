import Foundation
import Ledger
import Testing

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
        "-0.0000000000000000000000000000001",
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

    @Test("results of arithmetic, whose significand and exponent are not those of any text read, are spelled as description spells them")
    func spellsArithmetic() {
        let price = Decimal(string: "0.35")!
        for volume in ["18.456", "0.001", "1234.5"].map({ Decimal(string: $0)! }) {
            for value in [price * volume, volume / 3, -volume * 100, volume - volume, Decimal(sign: .plus, exponent: 5, significand: volume)] {
                #expect(value.canonicalText == value.description)
            }
        }
    }

    @Test("a number that is not JSON is refused, not read", arguments: ["[1.]", "[.5]", "[01]", "[-]", "[1.2.3]", "[--1]"])
    func refuses(document: String) {
        #expect(throws: (any Error).self) { try CanonicalDecoder.decode([Decimal].self, from: document) }
    }
}
