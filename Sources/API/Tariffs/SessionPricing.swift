import Domain
import Foundation
import Ledger
import Pricing
import Projections

/// Prices sessions with the tariff version in force on their connector when they started.
///
/// The version is chosen at the start (`SessionStarted.tariff`) and read back from the tariffs
/// projection, which keeps every version: a tariff published while a session runs prices the next
/// session, not this one (spec digest §1.4.8 [REC]).
public struct SessionPricing: Sendable {
    let store: any ProjectionStore
    let locations: LocationRegistry
    let parsed: ParsedTariffs

    /// What a CDR carries of its price.
    public struct Priced: Sendable {
        public let result: PriceResult
        /// The tariff object as it was when the session started.
        public let tariff: JSONValue
        public let pricing: CdrPricing
        /// OCPI ChargingPeriods: measured volumes, rounded to 4 decimals by the one rule.
        public let periods: [ChargingPeriod]

        public init(_ result: PriceResult, tariff: JSONValue, timeZone: TimeZone) {
            self.result = result
            self.tariff = tariff
            pricing = CdrPricing(result, timeZone: timeZone.identifier)
            periods = result.periods.map { period in
                ChargingPeriod(
                    startDateTime: Timestamp(period.start),
                    dimensions: period.components.map { CdrDimension(type: $0.dimension.rawValue, volume: SessionPricing.volume($0.volume)) }
                )
            }
        }

        /// The fields a CDR priced this way carries, as OCPI 2.1.1 spells them, with the
        /// computation beside them (`pricing`): what `ledger price` prints.
        public var cdrFields: JSONValue {
            .object([
                "currency": .string(result.currency),
                "total_cost": OCPIObjects.money(result.totalCost),
                "total_energy": OCPIObjects.number(SessionPricing.volume(result.totalEnergy)),
                "total_time": OCPIObjects.number(SessionPricing.volume(result.totalTime)),
                "total_parking_time": OCPIObjects.number(SessionPricing.volume(result.totalParkingTime)),
                "charging_periods": OCPIObjects.periods(periods),
                "tariffs": .array([tariff]),
                "pricing": (try? JSONValue(parsing: CanonicalWriter.text(of: pricing))) ?? .null,
            ])
        }
    }

    /// The version of the EVSE's tariff a session starting now is priced with; `nil` when the
    /// EVSE names none, or the ledger holds none of that id (no `--tariffs` given).
    func tariffInForce(at evse: LocationRegistry.EVSE) async throws -> (version: TariffVersion, currency: String)? {
        guard let id = evse.tariffId, let current = try await store.state(TariffsProjection.self, id)?.current else { return nil }
        return (TariffVersion(id: id, lastUpdated: current.lastUpdated), current.tariff["currency"]?.stringValue ?? "EUR")
    }

    /// The price of a session that has ended (its readings run to the stop); `nil` without a tariff.
    func price(_ session: SessionsProjection.State, stoppedAt stop: Timestamp) async throws -> Priced? {
        guard let version = session.tariff,
            let published = try await store.state(TariffsProjection.self, version.id)?.version(lastUpdated: version.lastUpdated)
        else { return nil }
        let tariff = try parsed.tariff(published)
        let object = published.tariff
        let timeZone = locations.timeZone(of: session.locationId) ?? TimeZone(identifier: "UTC")!
        let charging = ChargingSession(
            start: session.startDatetime.date,
            stop: stop.date,
            timeZone: timeZone,
            meterValues: (session.readings ?? []).map { MeterReading(at: $0.at.date, wattHours: Decimal($0.wh)) },
            notCharging: (session.notCharging ?? []).map { span in
                DateInterval(start: span.from.date, end: max(span.from, span.to ?? stop).date)
            }
        )
        return Priced(Pricing.price(charging, with: tariff), tariff: object, timeZone: timeZone)
    }

    /// A CDR volume (kWh, hours): 4 decimals, half-up (spec digest §2.0), then the nearest Double,
    /// which prints as those decimals.
    public static func volume(_ value: Decimal) -> Double {
        Double(value.rounded(scale: 4).canonicalText) ?? 0
    }
}
