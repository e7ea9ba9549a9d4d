import Foundation

/// Whether the EV draws energy: TIME is billed while charging, PARKING_TIME while not (digest §1.4.3).
public enum ChargingState: String, Sendable {
    case charging = "CHARGING"
    case parking = "PARKING"
}

/// One dimension of one period: what was measured, what was billed, and at which price.
public struct PricedComponent: Sendable, Equatable {
    public var dimension: TariffDimension
    /// Measured, exact: kWh (ENERGY), hours (TIME/PARKING_TIME), 1 (FLAT). What a CDR's
    /// ChargingPeriod carries (digest §1.4.4: measured, not step-rounded).
    public var volume: Decimal
    /// After the once-per-session step_size rounding (same unit); == volume when no rounding applied.
    public var billedVolume: Decimal
    /// nil: no element matched this dimension here, so it is free (digest §1.4.1 [REC]).
    public var unitPrice: Decimal?
    /// The applied component's `step_size` as the tariff states it.
    public var stepSize: Int?
    /// 0-based index of the TariffElement whose component applied.
    public var element: Int?
    /// billedVolume * unitPrice, unrounded (0 when free).
    public var amount: Decimal
}

/// A stretch of the session with one state and one active component per dimension: a CDR
/// ChargingPeriod (digest §1.4.4). It ends where the next begins; the last ends at the stop.
public struct PricedPeriod: Sendable, Equatable {
    public var start: Date
    public var state: ChargingState
    /// In the order FLAT, ENERGY, TIME, PARKING_TIME.
    public var components: [PricedComponent]
}

/// A priced session: the CDR's cost fields and the computation behind them (digest §3.1).
public struct PriceResult: Sendable, Equatable {
    public var tariffId: String
    public var tariffLastUpdated: String
    public var currency: String
    public var periods: [PricedPeriod]
    /// Sum of every component amount, unrounded.
    public var exactCost: Decimal
    /// exactCost rounded by the one money rule (2 decimals, half-up): `Decimal.rounded(scale:)`.
    public var totalCost: Decimal
    /// kWh, exact.
    public var totalEnergy: Decimal
    /// Hours, exact (stop - start in real seconds).
    public var totalTime: Decimal
    /// Hours, exact.
    public var totalParkingTime: Decimal
}
