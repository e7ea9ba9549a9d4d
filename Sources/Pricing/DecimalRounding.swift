import Foundation

extension Decimal {
    /// THE rounding rule of the project, documented once here: half-up (away from zero at .5) to
    /// `scale` decimals. Money: scale 2 (`total_cost`). CDR volumes: scale 4.
    ///
    /// Spec digest §1.4.7 [REC]: sum the unrounded component costs in decimal arithmetic and round
    /// the total once, half-up. Banker's rounding (what a float `round` or `.bankers` would do)
    /// fails vectors T-17 (0.125 ⇒ 0.13) and T-25 (5.625 ⇒ 5.63). Foundation's `.plain` mode is
    /// half away from zero, which is half-up for the positive amounts pricing produces.
    public func rounded(scale: Int) -> Decimal {
        rounded(scale: scale, .plain)
    }

    func rounded(scale: Int, _ mode: NSDecimalNumber.RoundingMode) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, scale, mode)
        return result
    }

    /// The smallest multiple of `step` that is not below `self` (`step` > 0).
    ///
    /// Decimal division keeps 38 digits, so a volume made of interpolated pieces (11 kWh split in
    /// thirds) can sum to 10999.999…98 Wh. Such a residue must not cost a whole extra step, so the
    /// value is first resolved to a millionth of a unit (µWh, µs) — far below any meter's
    /// resolution — and only then rounded up. Fractions above that still round up: 115.2 Wh at
    /// step 1 bills 116 Wh (digest §1.4.5, T-15).
    func roundedUp(toMultipleOf step: Decimal) -> Decimal {
        let steps = (rounded(scale: 6) / step).rounded(scale: 0, .up)
        return steps * step
    }

    /// The largest integer not above `self`, for calendar arithmetic on instants.
    var floorInt: Int {
        NSDecimalNumber(decimal: rounded(scale: 0, .down)).intValue
    }
}
