import Foundation
import Pricing
import Testing

/// The rules of the digest §1.4 that the T-vectors do not pin down on their own.
@Suite struct PricingSemanticsTests {
    /// Digest §1.4.3 and the brief: a reading interval's energy flows only while charging.
    @Test func energyBetweenReadingsIsSpreadOverTheChargingTimeOnly() throws {
        let session = ChargingSession(
            start: utc("2024-06-04T08:00:00Z"),
            stop: utc("2024-06-04T10:00:00Z"),
            timeZone: paris,
            meterValues: [
                MeterReading(at: utc("2024-06-04T08:00:00Z"), wattHours: 0), MeterReading(at: utc("2024-06-04T10:00:00Z"), wattHours: 15_000),
            ],
            notCharging: [DateInterval(start: utc("2024-06-04T09:00:00Z"), end: utc("2024-06-04T09:30:00Z"))]
        )
        let result = Pricing.price(session, with: try tariff(#"{"price_components": [{"type": "ENERGY", "price": 0.30, "step_size": 1}]}"#))
        #expect(volumes(result) == [["ENERGY": 10, "TIME": 1], ["PARKING_TIME": 0.5], ["ENERGY": 5, "TIME": 0.5]])
        #expect(result.totalCost == decimal("4.50"))
    }

    @Test func energyOfAnIntervalWithNoChargingAtAllIsSpreadOverAllOfItAndPricedInParking() throws {
        let session = ChargingSession(
            start: utc("2024-06-04T08:00:00Z"),
            stop: utc("2024-06-04T09:00:00Z"),
            timeZone: paris,
            meterValues: [
                MeterReading(at: utc("2024-06-04T08:00:00Z"), wattHours: 0), MeterReading(at: utc("2024-06-04T09:00:00Z"), wattHours: 2_000),
            ],
            notCharging: [DateInterval(start: utc("2024-06-04T08:00:00Z"), end: utc("2024-06-04T09:00:00Z"))]
        )
        let result = Pricing.price(session, with: try tariff(#"{"price_components": [{"type": "ENERGY", "price": 0.30, "step_size": 1}]}"#))
        #expect(result.periods.map(\.state) == [.parking])
        #expect(volumes(result) == [["ENERGY": 2, "PARKING_TIME": 1]])
        #expect(result.totalCost == decimal("0.60"))
    }

    /// Digest §1.4.4 split point 3: the instant cumulative energy reaches `max_kwh`, interpolated.
    @Test func aKwhThresholdSplitsThePeriodWhereTheInterpolatedEnergyReachesIt() throws {
        let result = Pricing.price(
            charging(from: "2024-06-04T08:00:00Z", seconds: 7_200, wattHours: 30_000),
            with: try tariff(
                #"{"price_components": [{"type": "ENERGY", "price": 0.10, "step_size": 1}], "restrictions": {"max_kwh": 10}}"#,
                #"{"price_components": [{"type": "ENERGY", "price": 0.30, "step_size": 1}]}"#
            )
        )
        #expect(result.periods.map(\.start) == [utc("2024-06-04T08:00:00Z"), utc("2024-06-04T08:40:00Z")])
        #expect(result.periods.map { $0.components.first?.element } == [0, 1])
        #expect(result.exactCost == decimal("7"))
    }

    /// Digest §1.4.2: `end_time` before `start_time` wraps past midnight.
    @Test func aTimeSpanEndingBeforeItStartsWrapsPastMidnight() throws {
        let night = try tariff(
            #"{"price_components": [{"type": "TIME", "price": 1.00, "step_size": 1}], "restrictions": {"start_time": "22:00", "end_time": "06:00"}}"#,
            #"{"price_components": [{"type": "TIME", "price": 2.00, "step_size": 1}]}"#
        )
        // 21:00 to 07:00 local (CEST): 1 h day, 8 h night, 1 h day.
        let result = Pricing.price(charging(from: "2024-06-04T19:00:00Z", seconds: 36_000, wattHours: 0), with: night)
        #expect(result.periods.map(\.start) == [utc("2024-06-04T19:00:00Z"), utc("2024-06-04T20:00:00Z"), utc("2024-06-05T04:00:00Z")])
        #expect(result.exactCost == decimal("12"))
    }

    /// Digest §1.4.2 DST: the hour 02:00–03:00 happens twice when summer time ends, so a
    /// restriction on it holds for two real hours.
    @Test func aLocalHourRepeatedWhenSummerTimeEndsIsPricedTwice() throws {
        let result = Pricing.price(charging(from: "2024-10-26T23:30:00Z", seconds: 10_800, wattHours: 0), with: try twoToThree())
        #expect(result.periods.map(\.start) == [utc("2024-10-26T23:30:00Z"), utc("2024-10-27T00:00:00Z"), utc("2024-10-27T02:00:00Z")])
        #expect(result.exactCost == decimal("21"))
    }

    /// When summer time starts the clock jumps from 02:00 to 03:00: a span starting at 02:30
    /// begins at the jump although 02:30 is never shown.
    @Test func aLocalTimeSkippedWhenSummerTimeStartsBeginsAtTheJump() throws {
        let from0230 = try tariff(
            #"{"price_components": [{"type": "TIME", "price": 10.00, "step_size": 1}], "restrictions": {"start_time": "02:30", "end_time": "04:00"}}"#,
            #"{"price_components": [{"type": "TIME", "price": 1.00, "step_size": 1}]}"#
        )
        let result = Pricing.price(charging(from: "2024-03-31T00:30:00Z", seconds: 7_200, wattHours: 0), with: from0230)
        #expect(result.periods.map(\.start) == [utc("2024-03-31T00:30:00Z"), utc("2024-03-31T01:00:00Z"), utc("2024-03-31T02:00:00Z")])
        #expect(result.exactCost == decimal("11"))
    }

    /// Digest §1.4.2: `start_date` inclusive, `end_date` exclusive, both local dates.
    @Test func datesAreLocalWithAnExclusiveEndDate() throws {
        let june5 = try tariff(
            #"{"price_components": [{"type": "TIME", "price": 4.00, "step_size": 1}], "restrictions": {"start_date": "2024-06-05", "end_date": "2024-06-06"}}"#,
            #"{"price_components": [{"type": "TIME", "price": 1.00, "step_size": 1}]}"#
        )
        // 23:00 on the 4th to 01:00 on the 6th, local (CEST).
        let result = Pricing.price(charging(from: "2024-06-04T21:00:00Z", seconds: 93_600, wattHours: 0), with: june5)
        #expect(result.periods.map(\.start) == [utc("2024-06-04T21:00:00Z"), utc("2024-06-04T22:00:00Z"), utc("2024-06-05T22:00:00Z")])
        #expect(result.exactCost == decimal("98"))
    }

    /// Digest §1.4.6 [REC]: FLAT once, from the element whose restrictions hold at the start.
    @Test func flatIsChosenAtTheSessionStartAndChargedOnce() throws {
        let dayFee = try tariff(
            #"{"price_components": [{"type": "FLAT", "price": 1.00, "step_size": 1}], "restrictions": {"start_time": "08:00", "end_time": "20:00"}}"#,
            #"{"price_components": [{"type": "FLAT", "price": 3.00, "step_size": 1}]}"#
        )
        let evening = Pricing.price(charging(from: "2024-06-04T17:30:00Z", seconds: 3_600, wattHours: 5_000), with: dayFee)
        #expect(evening.periods.flatMap(\.components).filter { $0.dimension == .flat }.map(\.element) == [0])
        #expect(evening.periods[0].components.first?.dimension == .flat)
        #expect(evening.exactCost == 1)
        let night = Pricing.price(charging(from: "2024-06-04T18:30:00Z", seconds: 3_600, wattHours: 5_000), with: dayFee)
        #expect(night.exactCost == 3)
    }

    @Test func onlyTheFirstComponentOfADimensionInAnElementCounts() throws {
        let twice = try tariff(
            #"{"price_components": [{"type": "TIME", "price": 1.00, "step_size": 1}, {"type": "TIME", "price": 5.00, "step_size": 1}]}"#
        )
        #expect(Pricing.price(charging(from: "2024-06-04T08:00:00Z", seconds: 3_600, wattHours: 0), with: twice).exactCost == 1)
    }

    /// Digest §1.4.5 [REC]: step_size 0 on a non-FLAT component counts as 1 (fractions still round up).
    @Test func aZeroStepOnTimeBillsWholeSeconds() throws {
        let start = utc("2024-06-04T08:00:00Z")
        let session = ChargingSession(start: start, stop: start.addingTimeInterval(1_799.5), timeZone: paris, meterValues: [])
        let result = Pricing.price(session, with: try tariff(#"{"price_components": [{"type": "TIME", "price": 3600, "step_size": 0}]}"#))
        #expect(result.exactCost == 1_800)
        #expect(result.periods[0].components.map(\.volume) == [0, decimal("1799.5") / 3_600])
    }

    /// A restriction nobody can read (a tariff with `problems()`) never makes its element apply.
    @Test func anUnreadableRestrictionNeverHolds() throws {
        let broken = try tariff(
            #"{"price_components": [{"type": "TIME", "price": 10.00, "step_size": 1}], "restrictions": {"start_time": "9:00"}}"#,
            #"{"price_components": [{"type": "TIME", "price": 1.00, "step_size": 1}]}"#
        )
        #expect(Pricing.price(charging(from: "2024-06-04T08:00:00Z", seconds: 3_600, wattHours: 0), with: broken).exactCost == 1)
    }

    @Test func aSessionOfNoDurationIsOnePeriodWithItsFlatFee() throws {
        let start = utc("2024-06-04T08:00:00Z")
        let session = ChargingSession(start: start, stop: start, timeZone: paris, meterValues: [])
        let result = Pricing.price(session, with: try tariff(#"{"price_components": [{"type": "FLAT", "price": 0.50, "step_size": 1}]}"#))
        #expect(result.periods.map(\.start) == [start])
        #expect(result.totalCost == decimal("0.50"))
        #expect(result.totalTime == 0)
    }

    @Test func theResultNamesTheTariffItWasPricedWith() throws {
        let result = Pricing.price(
            charging(from: "2024-06-04T08:00:00Z", seconds: 60, wattHours: 0),
            with: try tariff(#"{"price_components": [{"type": "FLAT", "price": 1, "step_size": 1}]}"#)
        )
        #expect([result.tariffId, result.tariffLastUpdated, result.currency] == ["X", "2024-01-01T00:00:00Z", "EUR"])
    }

    /// Why "a longer session never costs less" holds only while the last period keeps its element:
    /// tariff B at 36 kW, Friday 23:29:59 local. Stopping at midnight bills 1801 s rounded to 2400 s
    /// at 2.00 €/h: 2.50 + 1.3333… = 3.83. One second later the rounding extra (598 s) goes to the
    /// Saturday period at 1.25 €/h: 2.50 + 1801 s × 2.00 + 599 s × 1.25 = 3.7085… = 3.71.
    @Test func aLongerSessionCanCostLessWhenTheRoundingMovesToACheaperElement() throws {
        let tariffB = try vector("T-08").decodedTariff()
        let toMidnight = Pricing.price(charging(from: "2024-01-12T22:29:59Z", seconds: 1_801, wattHours: 18_010), with: tariffB)
        let pastMidnight = Pricing.price(charging(from: "2024-01-12T22:29:59Z", seconds: 1_802, wattHours: 18_020), with: tariffB)
        #expect(toMidnight.totalCost == decimal("3.83"))
        #expect(pastMidnight.totalCost == decimal("3.71"))
        #expect(pastMidnight.periods.last?.components.last?.billedVolume == decimal("599") / 3_600)
    }

    /// Why "more energy never costs less" needs one energy element and an unchanged power band:
    /// tariff B on a Saturday, 901 s. 2 kWh (8 kW) is element 2, 1.00 €/h with step 900: 1800 s,
    /// 3.00 in all. 10 kWh (40 kW) is element 4, 1.25 €/h with step 600: 1200 s, 2.9166… = 2.92.
    @Test func moreEnergyCanCostLessWhenAHigherPowerBandHasASmallerStep() throws {
        let tariffB = try vector("T-06").decodedTariff()
        let slow = Pricing.price(charging(from: "2024-06-08T10:00:00Z", seconds: 901, wattHours: 2_000), with: tariffB)
        let fast = Pricing.price(charging(from: "2024-06-08T10:00:00Z", seconds: 901, wattHours: 10_000), with: tariffB)
        #expect(slow.totalCost == decimal("3.00"))
        #expect(fast.totalCost == decimal("2.92"))
    }

    /// T-34 with 1 % more energy: 4343 Wh at 0.20 and 1111 Wh at 0.27; 5454 Wh round to 5500, so
    /// the extra billed at 0.27 falls from 100 to 46 Wh: 0.8686 + 1157 × 0.27 / 1000 = 1.18099 < 1.184.
    @Test func moreEnergyCanLowerTheExactCostWhenTheEnergyRoundingExtraShrinks() throws {
        let t34 = try vector("T-34")
        let more = Pricing.price(charging(from: "2024-06-04T14:17:00Z", seconds: 3_240, wattHours: 5_454), with: try t34.decodedTariff())
        #expect(more.exactCost == decimal("1.18099"))
        #expect(Pricing.price(try t34.decodedSession(), with: try t34.decodedTariff()).exactCost == decimal("1.184"))
    }

    // MARK: - Helpers

    private let paris = TimeZone(identifier: "Europe/Paris")!

    private func charging(from start: String, seconds: Int, wattHours: Decimal) -> ChargingSession {
        let begin = utc(start)
        let end = begin.addingTimeInterval(Double(seconds))
        return ChargingSession(
            start: begin,
            stop: end,
            timeZone: paris,
            meterValues: [MeterReading(at: begin, wattHours: 0), MeterReading(at: end, wattHours: wattHours)]
        )
    }

    private func tariff(_ elements: String...) throws -> Tariff {
        let json = #"{"id": "X", "currency": "EUR", "last_updated": "2024-01-01T00:00:00Z", "elements": ["# + elements.joined(separator: ", ") + "]}"
        return try Tariff.decode(Data(json.utf8))
    }

    private func twoToThree() throws -> Tariff {
        try tariff(
            #"{"price_components": [{"type": "TIME", "price": 10.00, "step_size": 1}], "restrictions": {"start_time": "02:00", "end_time": "03:00"}}"#,
            #"{"price_components": [{"type": "TIME", "price": 1.00, "step_size": 1}]}"#
        )
    }

    private func vector(_ id: String) throws -> TariffVector {
        try #require(try TariffVector.all().first { $0.id == id })
    }

    /// Per period, each dimension's measured volume.
    private func volumes(_ result: PriceResult) -> [[String: Decimal]] {
        result.periods.map { period in
            Dictionary(uniqueKeysWithValues: period.components.map { ($0.dimension.rawValue, $0.volume) })
        }
    }
}
