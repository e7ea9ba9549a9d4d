import Domain
import Foundation
import Ledger
import Pricing
import Projections

/// OCPI 2.1.1 Session and CDR objects as the IOP receives them, with Gireve's `authorization_id`
/// at the top level when one is known — and the key left out, never null or "", when not.
public struct OCPIObjects: Sendable {
    let locations: LocationRegistry

    /// The Location as configured, with only the EVSE in use (and without our `ocpp` mapping).
    func location(_ locationId: String, evse evseUid: String) -> JSONValue {
        guard case .object(var location)? = locations.locations[locationId] else { return .object(["id": .string(locationId)]) }
        if case .array(let evses)? = location["evses"] {
            location["evses"] = .array(
                evses.compactMap { evse in
                    guard case .object(var members) = evse, members["uid"]?.stringValue == evseUid else { return nil }
                    members["ocpp"] = nil
                    return .object(members)
                }
            )
        }
        return .object(location)
    }

    public static func periods(_ periods: [ChargingPeriod]) -> JSONValue {
        .array(
            periods.map { period in
                .object([
                    "start_date_time": .string(period.startDateTime.ocpiDateTime),
                    "dimensions": .array(period.dimensions.map { .object(["type": .string($0.type), "volume": number($0.volume)]) }),
                ])
            }
        )
    }

    /// A number as OCPI shows it: at most four decimals for energy and hours (OCPI 2.1.1 `types.md` §1.4).
    public static func number(_ value: Double) -> JSONValue {
        let rounded = (value * 10000).rounded() / 10000
        return .number(rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded))
    }

    /// An amount as the CDR carries it: exactly 2 decimals (spec digest §1.4.7 [REC]), after the one
    /// rounding rule — a CDR recorded before pricing (its 0) reads `0.00` too.
    public static func money(_ value: Decimal) -> JSONValue {
        let text = value.rounded(scale: 2).canonicalText
        guard let dot = text.firstIndex(of: ".") else { return .number(text + ".00") }
        return .number(text + String(repeating: "0", count: max(0, 3 - text.distance(from: dot, to: text.endIndex))))
    }

    /// The Session PUT when charging starts.
    func session(_ started: SessionStarted, at time: Timestamp) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(started.sessionId),
            "start_datetime": .string(started.startedAt.ocpiDateTime),
            "kwh": .number("0"),
            "auth_id": .string(started.authId),
            "auth_method": .string(started.authMethod),
            "location": location(started.locationId, evse: started.evseUid),
            "currency": .string(started.currency),
            "status": .string("ACTIVE"),
            "last_updated": .string(time.ocpiDateTime),
        ]
        if let authorizationId = started.authorizationId, !authorizationId.isEmpty { members["authorization_id"] = .string(authorizationId) }
        return .object(members)
    }

    /// A Session as the IOP pulls it (`GET /sessions`), from the sessions projection.
    func session(_ state: SessionsProjection.State) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(state.id),
            "start_datetime": .string(state.startDatetime.ocpiDateTime),
            "kwh": Self.number(state.kwh),
            "auth_id": .string(state.authId),
            "auth_method": .string(state.authMethod),
            "location": location(state.locationId, evse: state.evseUid),
            "currency": .string(state.currency),
            "charging_periods": Self.periods(state.chargingPeriods),
            "status": .string(state.status.rawValue),
            "last_updated": .string(state.lastUpdated.ocpiDateTime),
        ]
        if let end = state.endDatetime { members["end_datetime"] = .string(end.ocpiDateTime) }
        if let authorizationId = state.authorizationId, !authorizationId.isEmpty { members["authorization_id"] = .string(authorizationId) }
        return .object(members)
    }

    /// The Session PATCH on completion (authorization_id repeated in every PATCH, gireve-iop.md §3.2 [REC]),
    /// with the CDR's periods and `total_cost` when it was priced.
    func sessionCompleted(
        _ session: SessionsProjection.State,
        ended: SessionEnded,
        kwh: Double,
        periods: [ChargingPeriod],
        totalCost: Decimal?,
        at time: Timestamp
    ) -> JSONValue {
        var members: [String: JSONValue] = [
            "end_datetime": .string(ended.endedAt.ocpiDateTime),
            "kwh": Self.number(kwh),
            "charging_periods": Self.periods(periods),
            "status": .string("COMPLETED"),
            "last_updated": .string(time.ocpiDateTime),
        ]
        if let totalCost { members["total_cost"] = Self.money(totalCost) }
        if let authorizationId = session.authorizationId, !authorizationId.isEmpty { members["authorization_id"] = .string(authorizationId) }
        return .object(members)
    }

    /// The CDR POSTed right after the session ends.
    func cdr(_ cdr: CdrIssued, at time: Timestamp) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(cdr.cdrId),
            "start_date_time": .string(cdr.startDateTime.ocpiDateTime),
            "stop_date_time": .string(cdr.stopDateTime.ocpiDateTime),
            "auth_id": .string(cdr.authId),
            "auth_method": .string(cdr.authMethod),
            "location": location(cdr.locationId, evse: cdr.evseUid),
            "currency": .string(cdr.currency),
            "charging_periods": Self.periods(cdr.chargingPeriods),
            "total_cost": Self.money(cdr.totalCost),
            "total_energy": Self.number(cdr.totalEnergy),
            "total_time": Self.number(cdr.totalTime),
            "last_updated": .string(time.ocpiDateTime),
        ]
        if let parking = cdr.totalParkingTime { members["total_parking_time"] = Self.number(parking) }
        if let tariffs = cdr.tariffs { members["tariffs"] = .array(tariffs) }
        if let authorizationId = cdr.authorizationId, !authorizationId.isEmpty { members["authorization_id"] = .string(authorizationId) }
        return .object(members)
    }
}
