import Foundation
import Pricing
import Testing

/// Every worked example of the digest §2 (T-01…T-36), priced by the engine and compared with the
/// digest: `total_cost` to the cent, the exact cost where the digest gives a finite decimal, the
/// totals and each ChargingPeriod's start, dimensions and volumes to 4 decimals (digest §2.0).
@Suite struct TariffVectorTests {
    @Test(arguments: try TariffVector.all())
    func pricesTheDigestVectorAsTheDigestDoes(_ vector: TariffVector) throws {
        let result = Pricing.price(try vector.decodedSession(), with: try vector.decodedTariff())
        let expected = vector.expected

        #expect(result.totalCost == decimal(expected.totalCost))
        if let exact = expected.exactCost {
            #expect(result.exactCost == decimal(exact))
        }
        #expect(result.totalEnergy.rounded(scale: 4) == decimal(expected.totalEnergy))
        #expect(result.totalTime.rounded(scale: 4) == decimal(expected.totalTime))
        #expect(result.totalParkingTime.rounded(scale: 4) == decimal(expected.totalParkingTime))

        let periods = result.periods.map { period in
            Period(
                start: period.start,
                dimensions: period.components.map { Dimension(type: $0.dimension.rawValue, volume: $0.volume.rounded(scale: 4)) }
            )
        }
        let expectedPeriods = expected.chargingPeriods.map { period in
            Period(start: utc(period.startDateTime), dimensions: period.dimensions.map { Dimension(type: $0.type, volume: decimal($0.volume)) })
        }
        #expect(periods == expectedPeriods)
    }

    @Test func theFixtureHoldsAllThirtySixVectorsInOrder() throws {
        #expect(try TariffVector.all().map(\.id) == (1...36).map { String(format: "T-%02d", $0) })
    }

    @Test func everyFixtureTariffIsValid() throws {
        for vector in try TariffVector.all() {
            #expect(try vector.decodedTariff().problems() == [], "\(vector.id)")
        }
    }

    private struct Dimension: Equatable, CustomStringConvertible {
        var type: String
        var volume: Decimal
        var description: String { "\(type) \(volume)" }
    }

    private struct Period: Equatable, CustomStringConvertible {
        var start: Date
        var dimensions: [Dimension]
        var description: String { "\(start) \(dimensions)" }
    }
}
