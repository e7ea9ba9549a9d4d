import Foundation
import Pricing
import Testing

/// Properties over a few hundred pseudo-random sessions (fixed seed) priced with every distinct
/// tariff of the fixture (tariffs A…P of the digest §2).
///
/// The monotonicity properties are stated with the premise under which the digest's [REC] makes
/// them true. Unconditionally they are false: the once-per-session step rounding bills the rounding
/// extra at the LAST component's price and step, so moving where that last component is can lower
/// the total (`PricingSemanticsTests` pins two such cases from the digest's own tariffs).
@Suite struct PricingPropertyTests {
    static let cases = 300

    @Test func exactCostIsTheSumOfEveryComponentAmountAndTotalCostItsRounding() throws {
        var generator = SplitMix64(seed: 0x5EED_0001)
        let tariffs = try Self.tariffs()
        for _ in 0..<Self.cases {
            let session = SegmentedSession.random(using: &generator).session
            let result = Pricing.price(session, with: tariffs.randomElement(using: &generator)!)
            let sum = result.periods.flatMap(\.components).reduce(Decimal(0)) { $0 + $1.amount }
            #expect(result.exactCost == sum)
            #expect(result.totalCost == result.exactCost.rounded(scale: 2))
        }
    }

    @Test func everyAmountIsBilledVolumeTimesUnitPriceAndNeverBillsLessThanMeasured() throws {
        var generator = SplitMix64(seed: 0x5EED_0002)
        let tariffs = try Self.tariffs()
        for _ in 0..<Self.cases {
            let result = Pricing.price(SegmentedSession.random(using: &generator).session, with: tariffs.randomElement(using: &generator)!)
            for component in result.periods.flatMap(\.components) {
                #expect((component.amount - component.billedVolume * (component.unitPrice ?? 0)).magnitude < decimal("1e-25"))
                #expect(component.billedVolume >= component.volume)
                #expect(component.unitPrice != nil || component.billedVolume == component.volume)
            }
        }
    }

    @Test func periodVolumesAddUpToTheSessionTotals() throws {
        var generator = SplitMix64(seed: 0x5EED_0003)
        let tariffs = try Self.tariffs()
        for _ in 0..<Self.cases {
            let segmented = SegmentedSession.random(using: &generator)
            let result = Pricing.price(segmented.session, with: tariffs.randomElement(using: &generator)!)
            let components = result.periods.flatMap(\.components)
            func total(_ dimensions: Set<TariffDimension>) -> Decimal {
                components.filter { dimensions.contains($0.dimension) }.reduce(Decimal(0)) { $0 + $1.volume }.rounded(scale: 20)
            }
            let parkingSeconds = segmented.segments.reduce(0) { sum, segment in
                if case .parking(let seconds) = segment { sum + seconds } else { sum }
            }
            #expect(total([.energy]) == result.totalEnergy.rounded(scale: 20))
            #expect(total([.time, .parkingTime]) == result.totalTime.rounded(scale: 20))
            #expect(total([.parkingTime]) == result.totalParkingTime.rounded(scale: 20))
            #expect(result.totalParkingTime == Decimal(parkingSeconds) / 3_600)
            #expect(result.periods.first?.start == segmented.start)
            #expect(zip(result.periods, result.periods.dropFirst()).allSatisfy { $0.start < $1.start })
        }
    }

    /// Premise: the extension only lengthens the last period (same periods, same elements). Then
    /// the rounding anchors do not move and the extra volume is billed at the anchor's price.
    @Test func aLongerLastPeriodNeverCostsLess() throws {
        var generator = SplitMix64(seed: 0x5EED_0004)
        let tariffs = try Self.tariffs()
        var premiseHeld = 0
        for _ in 0..<Self.cases {
            let base = SegmentedSession.random(using: &generator)
            let tariff = tariffs.randomElement(using: &generator)!
            let longer = base.extended(by: Int.random(in: 1...7_200, using: &generator))
            let before = Pricing.price(base.session, with: tariff)
            let after = Pricing.price(longer.session, with: tariff)
            guard Self.shape(before) == Self.shape(after) else { continue }
            premiseHeld += 1
            #expect(after.exactCost >= before.exactCost, "\(tariff.id) \(base) → \(longer)")
            #expect(after.totalCost >= before.totalCost)
        }
        #expect(premiseHeld >= Self.cases / 3)
    }

    /// Premise: the same periods with the same elements, and at most one element pricing ENERGY.
    /// Then the energy cost is price × (total rounded up to the step), which only grows.
    @Test func moreEnergyAtTheSameTimesNeverCostsLessUnderOneEnergyElement() throws {
        var generator = SplitMix64(seed: 0x5EED_0005)
        let tariffs = try Self.tariffs()
        var premiseHeld = 0
        for _ in 0..<Self.cases {
            let base = SegmentedSession.random(using: &generator)
            let tariff = tariffs.randomElement(using: &generator)!
            let more = base.scalingEnergy(by: 1 + Decimal(Int.random(in: 1...200, using: &generator)) / 100)
            let before = Pricing.price(base.session, with: tariff)
            let after = Pricing.price(more.session, with: tariff)
            let energyElements = Set(after.periods.flatMap(\.components).filter { $0.dimension == .energy }.compactMap(\.element))
            guard Self.shape(before) == Self.shape(after), energyElements.count <= 1 else { continue }
            premiseHeld += 1
            #expect(after.exactCost >= before.exactCost, "\(tariff.id) \(base) → \(more)")
            #expect(after.totalCost >= before.totalCost)
            #expect(after.totalEnergy >= before.totalEnergy)
        }
        #expect(premiseHeld >= Self.cases / 3)
    }

    /// Per period: its state and which element priced each of its dimensions.
    private static func shape(_ result: PriceResult) -> [String] {
        result.periods.map { period in
            period.state.rawValue + period.components.map { " \($0.dimension.rawValue)=\($0.element.map(String.init) ?? "free")" }.joined()
        }
    }

    private static func tariffs() throws -> [Tariff] {
        var distinct: [Tariff] = []
        for vector in try TariffVector.all() {
            let tariff = try vector.decodedTariff()
            if !distinct.contains(tariff) { distinct.append(tariff) }
        }
        return distinct
    }
}
