import Foundation
import Testing

@testable import Pricing

/// The shortcuts pricing takes for its divisions by 2, 1,000 and 86,400 give what Foundation's
/// division gives: the same value and the same text (amounts and volumes are written as text).
@Suite struct ExactDecimalTests {
    /// Long quotients (38 digits), integers, zero and negatives: what durations, interpolated
    /// instants and energies look like.
    static let values: [Decimal] = {
        var random = SplitMix64(seed: 31)
        var values = [
            decimal("10999.99999999999999999999999999999998"), decimal("0.0000000000000000000000000000000001"),
            decimal("12345678901234567890123456789012345678"), Decimal(1) / 3, Decimal(2) / 3, Decimal(-5) / 7, 0, 1, -1,
        ]
        for _ in 0..<5_000 {
            values.append(
                Decimal(Int.random(in: -1_000_000_000...1_000_000_000, using: &random)) / Decimal(Int.random(in: 1...100_000, using: &random))
            )
            values.append(Decimal(Int.random(in: -10_000_000...10_000_000, using: &random)))
        }
        return values
    }()

    @Test func halvingAndThousandthsMatchDivisionInValueAndText() {
        for value in Self.values {
            #expect(value.halved == value / 2 && value.halved.description == (value / 2).description, "\(value)")
            #expect(value.thousandths == value / 1_000 && value.thousandths.description == (value / 1_000).description, "\(value)")
        }
    }

    @Test(arguments: [Int64(0), 1, 999, 1_000, -1, -1_500, 1_765_000_123_456, -86_400_001])
    func millisecondsAreExactSeconds(_ milliseconds: Int64) {
        let seconds = Decimal(milliseconds: milliseconds)
        #expect(seconds == Decimal(milliseconds) / 1_000)
        #expect(seconds.description == (Decimal(milliseconds) / 1_000).description)
    }

    @Test func dayAndSecondFloorBeforeAndAfterEveryMidnight() {
        // Before 1970 (negative seconds) the day rounds down, never toward zero.
        for (seconds, day, second) in [
            ("0", 0, "0"), ("86399.999", 0, "86399.999"), ("86400", 1, "0"), ("-0.001", -1, "86399.999"),
            ("-86400", -1, "0"), ("-86400.5", -2, "86399.5"), ("1765000123.25", 20428, "20923.25"),
        ] {
            let split = decimal(seconds).dayAndSecond
            #expect(split.day == day && split.secondOfDay == decimal(second), "\(seconds)")
        }
        // What the division gave, on every value an instant can take (< 10¹² s).
        for value in Self.values where abs(value) < 1_000_000_000_000 {
            let day = (value / 86_400).floorInt
            let split = value.dayAndSecond
            #expect(split.day == day && split.secondOfDay == value - Decimal(day) * 86_400, "\(value)")
        }
    }
}
