import CanonicalCoding
import Foundation
import Ledger
import Pricing

/// How a CDR's `total_cost` was computed, kept in the `CdrIssued` event: the answer to "why this
/// price?" read from the log, not recomputed with whatever the code and tariffs are today.
///
/// Per period and component: the measured volume, the volume billed after `step_size` rounding,
/// the unit price of the tariff element that applied (absent: none matched, so it was free) and the
/// unrounded amount. `exactCost` is their sum; `totalCost` of the CDR is it rounded by the one
/// money rule (`Decimal.rounded(scale:)`: half-up to 2 decimals).
@Canonical
public struct CdrPricing: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
    @Canonical
    public struct Component: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
        /// `FLAT`, `ENERGY`, `TIME` or `PARKING_TIME`.
        public var type: String
        /// Measured: kWh, hours, or 1 for FLAT.
        public var volume: Decimal
        public var billedVolume: Decimal
        public var unitPrice: Decimal?
        public var stepSize: Int?
        /// The tariff element (0-based, in the tariff's order) whose component applied.
        public var element: Int?
        public var amount: Decimal

        public init(type: String, volume: Decimal, billedVolume: Decimal, unitPrice: Decimal?, stepSize: Int?, element: Int?, amount: Decimal) {
            self.type = type
            self.volume = volume
            self.billedVolume = billedVolume
            self.unitPrice = unitPrice
            self.stepSize = stepSize
            self.element = element
            self.amount = amount
        }
    }

    @Canonical
    public struct Period: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
        public var startDateTime: Timestamp
        /// `CHARGING` or `PARKING`.
        public var state: String
        public var components: [Component]

        public init(startDateTime: Timestamp, state: String, components: [Component]) {
            self.startDateTime = startDateTime
            self.state = state
            self.components = components
        }
    }

    public var tariff: TariffVersion
    /// The IANA zone the tariff's times, days and dates were read in (the Location's).
    public var timeZone: String
    public var exactCost: Decimal
    public var periods: [Period]

    public init(tariff: TariffVersion, timeZone: String, exactCost: Decimal, periods: [Period]) {
        self.tariff = tariff
        self.timeZone = timeZone
        self.exactCost = exactCost
        self.periods = periods
    }

    public init(_ result: PriceResult, timeZone: String) {
        tariff = TariffVersion(id: result.tariffId, lastUpdated: result.tariffLastUpdated)
        self.timeZone = timeZone
        exactCost = result.exactCost
        periods = result.periods.map { period in
            Period(
                startDateTime: Timestamp(period.start),
                state: period.state.rawValue,
                components: period.components.map { component in
                    Component(
                        type: component.dimension.rawValue,
                        volume: component.volume,
                        billedVolume: component.billedVolume,
                        unitPrice: component.unitPrice,
                        stepSize: component.stepSize,
                        element: component.element,
                        amount: component.amount
                    )
                }
            )
        }
    }
}
