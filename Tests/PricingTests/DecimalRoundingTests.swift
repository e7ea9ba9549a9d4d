import Foundation
import Pricing
import Testing

/// The one rounding rule (digest §1.4.7 [REC]): half-up, away from zero at .5.
@Suite struct DecimalRoundingTests {
    @Test(arguments: [
        ("0.125", 2, "0.13"),  // T-17: banker's rounding would give 0.12
        ("5.625", 2, "5.63"),  // T-25: banker's rounding would give 5.62
        ("12.375", 2, "12.38"),  // T-06
        ("0.124999", 2, "0.12"),
        ("-0.125", 2, "-0.13"),
        ("1.97305", 4, "1.9731"),
        ("0.33333333333333333333", 2, "0.33"),
        ("4", 2, "4"),
    ])
    func roundsHalfUpAwayFromZero(_ value: String, _ scale: Int, _ expected: String) {
        #expect(decimal(value).rounded(scale: scale) == decimal(expected))
    }
}
