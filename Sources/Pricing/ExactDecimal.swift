import Foundation

/// Pricing's divisions by 2 and by powers of ten, without Foundation's `Decimal` division.
///
/// That division is a long division on heap arrays followed by a compaction that divides by ten
/// again and again: 1.7–3.9 µs each, where a multiplication takes 0.3 µs and building a value from
/// its digits 0.01 µs. The divisions by 2, 1,000 and 86,400 made per slice were 13 % of a
/// StopTransaction's CPU in the 10,000-charger stop storm (docs/performance.md). These give the
/// same values — and the same text, which volumes are written as (`ExactDecimalTests`) — because
/// both operands are exact: ½ and 10⁻³ are finite decimals.
extension Decimal {
    private static let half = Decimal(sign: .plus, exponent: -1, significand: 5)
    private static let thousandth = Decimal(sign: .plus, exponent: -3, significand: 1)

    /// `milliseconds / 1000`, built from its digits.
    init(milliseconds: Int64) {
        self.init(sign: milliseconds < 0 ? .minus : .plus, exponent: -3, significand: Decimal(milliseconds.magnitude))
    }

    /// `self / 2`.
    var halved: Decimal { self * Self.half }

    /// `self / 1000` (Wh to kWh).
    var thousandths: Decimal { self * Self.thousandth }

    /// The civil day (counted from 1970-01-01) of `self` seconds of local time, and the seconds
    /// since its midnight: one rounding and an integer division instead of a `Decimal` division.
    var dayAndSecond: (day: Int, secondOfDay: Decimal) {
        let whole = floorInt
        let day = whole >= 0 ? whole / 86_400 : (whole - 86_399) / 86_400
        return (day, self - Decimal(day * 86_400))
    }
}
