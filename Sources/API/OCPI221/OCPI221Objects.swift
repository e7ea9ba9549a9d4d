import Domain
import Foundation
import Ledger
import Projections

/// OCPI 2.2.1 Session, CDR and Tariff objects, rendered from the same recorded facts as the 2.1.1
/// ones (`OCPIObjects`): the owner (`country_code`, `party_id`) in every object, the token as a
/// `CdrToken`, the authorization reference under its standard name, ids instead of an embedded
/// Location, a `CdrLocation` in the CDR, and money as `Price` (spec digest §6, §7, §12).
///
/// Tariffs are OCPI 2.1.1 objects here, which carry no VAT: `Price.incl_vat` is left out (it is
/// optional), never guessed.
public struct OCPI221Objects: Sendable {
    let locations: LocationRegistry
    /// This CPO: the owner of every object it renders.
    let countryCode: String
    let partyId: String
    /// Who stands behind a token whose eMSP the ledger cannot tell (the IOP, `--iop-party`).
    let hub: String

    /// What a Session carries, whichever recorded fact it is rendered from.
    struct Session {
        var id: String
        var startedAt: Timestamp
        var endedAt: Timestamp?
        var kwh: Double
        var token: TokenSnapshot
        var authMethod: String
        var authorizationReference: String?
        var locationId: String
        var evseUid: String
        var connectorId: String
        var currency: String
        var periods: [ChargingPeriod]
        var tariffId: String?
        var totalCost: Decimal?
        var status: String
    }

    /// The Session as it started (`SessionStarted`): the PUT that tells the eMSP charging began.
    func session(_ started: SessionStarted) -> Session {
        Session(
            id: started.sessionId,
            startedAt: started.startedAt,
            kwh: 0,
            token: token(started.token, uid: started.idTag, contractId: started.authId, byCommand: started.commandId != nil),
            authMethod: authMethod(started.authMethod, byCommand: started.commandId != nil),
            authorizationReference: started.authorizationId,
            locationId: started.locationId,
            evseUid: started.evseUid,
            connectorId: connectorId(location: started.locationId, evse: started.evseUid),
            currency: started.currency,
            periods: [],
            tariffId: started.tariff?.id,
            status: "ACTIVE"
        )
    }

    /// The Session as the ledger knows it now (`SessionsProjection`).
    func session(_ state: SessionsProjection.State) -> Session {
        let byCommand = !state.commandIds.isEmpty
        return Session(
            id: state.id,
            startedAt: state.startDatetime,
            endedAt: state.endDatetime,
            kwh: state.kwh,
            token: token(state.token, uid: state.idTag, contractId: state.authId, byCommand: byCommand),
            authMethod: authMethod(state.authMethod, byCommand: byCommand),
            authorizationReference: state.authorizationId,
            locationId: state.locationId,
            evseUid: state.evseUid,
            connectorId: connectorId(location: state.locationId, evse: state.evseUid),
            currency: state.currency,
            periods: state.chargingPeriods,
            tariffId: state.tariff?.id,
            status: state.status.rawValue
        )
    }

    /// The whole Session object: a PUT replaces what the receiver had, periods included.
    func object(_ session: Session, at time: Timestamp) -> JSONValue {
        var members: [String: JSONValue] = [
            "country_code": .string(countryCode),
            "party_id": .string(partyId),
            "id": .string(session.id),
            "start_date_time": .string(session.startedAt.ocpiDateTime),
            "kwh": OCPIObjects.number(session.kwh),
            "cdr_token": cdrToken(session.token),
            "auth_method": .string(session.authMethod),
            "location_id": .string(session.locationId),
            "evse_uid": .string(session.evseUid),
            "connector_id": .string(session.connectorId),
            "currency": .string(session.currency),
            "charging_periods": periods(session.periods, tariffId: session.tariffId),
            "status": .string(session.status),
            "last_updated": .string(time.ocpiDateTime),
        ]
        if let end = session.endedAt { members["end_date_time"] = .string(end.ocpiDateTime) }
        if let reference = session.authorizationReference, !reference.isEmpty { members["authorization_reference"] = .string(reference) }
        if let cost = session.totalCost { members["total_cost"] = price(cost) }
        return .object(members)
    }

    /// Progress as a PATCH: the running `kwh` and `total_cost`, and the `last_updated` every 2.2.1
    /// PATCH must carry. No `charging_periods`: a 2.2.1 PATCH appends the periods it carries, so
    /// resending the running list would count them twice; the final PUT carries them all.
    func progress(kwh: Double, totalCost: Decimal?, at time: Timestamp) -> JSONValue {
        var members: [String: JSONValue] = ["kwh": OCPIObjects.number(kwh), "last_updated": .string(time.ocpiDateTime)]
        if let totalCost { members["total_cost"] = price(totalCost) }
        return .object(members)
    }

    /// The CDR POSTed when the session ends (V2-15's shape).
    func cdr(_ cdr: CdrIssued, byCommand: Bool, idTag: String, at time: Timestamp) -> JSONValue {
        var members: [String: JSONValue] = [
            "country_code": .string(countryCode),
            "party_id": .string(partyId),
            "id": .string(cdr.cdrId),
            "start_date_time": .string(cdr.startDateTime.ocpiDateTime),
            "end_date_time": .string(cdr.stopDateTime.ocpiDateTime),
            "session_id": .string(cdr.sessionId),
            "cdr_token": cdrToken(token(cdr.token, uid: idTag, contractId: cdr.authId, byCommand: byCommand)),
            "auth_method": .string(authMethod(cdr.authMethod, byCommand: byCommand)),
            "cdr_location": cdrLocation(cdr.locationId, evse: cdr.evseUid),
            "currency": .string(cdr.currency),
            "charging_periods": periods(cdr.chargingPeriods, tariffId: cdr.pricing?.tariff.id),
            "total_cost": price(cdr.totalCost),
            "total_energy": OCPIObjects.number(cdr.totalEnergy),
            "total_time": OCPIObjects.number(cdr.totalTime),
            "last_updated": .string(time.ocpiDateTime),
        ]
        if let parking = cdr.totalParkingTime { members["total_parking_time"] = OCPIObjects.number(parking) }
        if let reference = cdr.authorizationId, !reference.isEmpty { members["authorization_reference"] = .string(reference) }
        if let tariffs = cdr.tariffs { members["tariffs"] = .array(tariffs.map(tariff)) }
        if let pricing = cdr.pricing {
            for (dimension, field) in Self.costFields {
                let amounts = pricing.periods.flatMap(\.components).filter { $0.type == dimension && $0.unitPrice != nil }.map(\.amount)
                if !amounts.isEmpty { members[field] = price(amounts.reduce(0, +)) }
            }
        }
        return .object(members)
    }

    /// A tariff dimension's amounts, summed exactly and then rounded by the one money rule, under
    /// the CDR's per-dimension total (each may differ from `total_cost`'s own rounding by a cent);
    /// only for a dimension the tariff priced.
    static let costFields = [
        ("FLAT", "total_fixed_cost"), ("ENERGY", "total_energy_cost"), ("TIME", "total_time_cost"), ("PARKING_TIME", "total_parking_cost"),
    ]

    func tariff(_ object: JSONValue) -> JSONValue { Self.tariff(object, countryCode: countryCode, partyId: partyId) }

    /// A 2.1.1 Tariff object in the 2.2.1 shape: owned by this CPO. Its other members mean the same
    /// in both versions (a 2.1.1 price component has no `vat`, so none is claimed).
    static func tariff(_ object: JSONValue, countryCode: String, partyId: String) -> JSONValue {
        guard case .object(var members) = object else { return object }
        members["country_code"] = .string(countryCode)
        members["party_id"] = .string(partyId)
        return .object(members)
    }

    /// A 2.1.1 Location object (as published, statuses included) in the 2.2.1 shape (spec digest
    /// §9): owned by this CPO and `publish`ed; 2.1.1's `type` becomes `parking_type` where 2.2.1 has
    /// the value (not OTHER or UNKNOWN); each connector's `voltage`/`amperage`/`tariff_id` become
    /// `max_voltage`/`max_amperage`/`tariff_ids`.
    static func location(_ object: JSONValue, countryCode: String, partyId: String) -> JSONValue {
        guard case .object(var members) = object else { return object }
        members["country_code"] = .string(countryCode)
        members["party_id"] = .string(partyId)
        members["publish"] = .bool(true)
        if let type = members.removeValue(forKey: "type")?.stringValue, Self.parkingTypes.contains(type) { members["parking_type"] = .string(type) }
        if case .array(let evses)? = members["evses"] { members["evses"] = .array(evses.map(evse)) }
        return .object(members)
    }

    func location(_ object: JSONValue) -> JSONValue { Self.location(object, countryCode: countryCode, partyId: partyId) }

    /// The 2.1.1 LocationTypes that are 2.2.1 ParkingTypes too.
    static let parkingTypes: Set<String> = ["ON_STREET", "PARKING_GARAGE", "UNDERGROUND_GARAGE", "PARKING_LOT"]

    /// An EVSE in the 2.2.1 shape: its connectors'.
    static func evse(_ evse: JSONValue) -> JSONValue {
        guard case .object(var fields) = evse, case .array(let connectors)? = fields["connectors"] else { return evse }
        fields["connectors"] = .array(connectors.map(connector))
        return .object(fields)
    }

    /// A Connector in the 2.2.1 shape: limits renamed, the tariff in a list.
    static func connector(_ connector: JSONValue) -> JSONValue {
        guard case .object(var fields) = connector else { return connector }
        for (old, new) in [("voltage", "max_voltage"), ("amperage", "max_amperage")] {
            if let value = fields.removeValue(forKey: old) { fields[new] = value }
        }
        if let tariff = fields.removeValue(forKey: "tariff_id") { fields["tariff_ids"] = .array([tariff]) }
        return .object(fields)
    }

    /// `Price` without VAT: `excl_vat` by the one money rule (two decimals).
    func price(_ amount: Decimal) -> JSONValue { .object(["excl_vat": OCPIObjects.money(amount)]) }

    /// Periods with the tariff that priced them; FLAT is not a 2.2.1 dimension (removed in 2.2).
    func periods(_ periods: [ChargingPeriod], tariffId: String?) -> JSONValue {
        .array(
            periods.map { period in
                var members: [String: JSONValue] = [
                    "start_date_time": .string(period.startDateTime.ocpiDateTime),
                    "dimensions": .array(
                        period.dimensions.filter { $0.type != "FLAT" }.map {
                            .object(["type": .string($0.type), "volume": OCPIObjects.number($0.volume)])
                        }
                    ),
                ]
                if let tariffId { members["tariff_id"] = .string(tariffId) }
                return .object(members)
            }
        )
    }

    /// `COMMAND` when a command started it (2.2.1 has the value; 2.1.1 renders `AUTH_REQUEST`).
    func authMethod(_ recorded: String, byCommand: Bool) -> String { byCommand ? "COMMAND" : recorded }

    /// The token as recorded from a 2.2.1 command; otherwise what the ledger knows of it: the uid
    /// (the charger's id tag), the contract id, the eMSP read from an eMI3 contract id
    /// (`NL-EMS-C12345678-K` → NL/EMS) or else the hub that authorized it, and `RFID` for a swipe,
    /// `OTHER` for a 2.1.1 command's token (whose type was not kept).
    func token(_ recorded: TokenSnapshot?, uid: String, contractId: String, byCommand: Bool) -> TokenSnapshot {
        if let recorded { return recorded }
        let owner = Self.emsp(contractId: contractId) ?? RoutingHeaders.split(hub) ?? ("", "")
        return TokenSnapshot(
            countryCode: owner.0,
            partyId: owner.1,
            uid: uid,
            type: byCommand ? "OTHER" : "RFID",
            contractId: contractId
        )
    }

    /// The eMSP of an eMI3 contract id, when it has that form: `CC-PPP-…` / `CC*PPP*…`, or without
    /// separators 14 or 15 letters and digits (`NLEMSC12345678K`). Anything else names no eMSP.
    static func emsp(contractId: String) -> (String, String)? {
        let characters = Array(contractId.uppercased())
        func alphanumeric(_ slice: ArraySlice<Character>) -> Bool { slice.allSatisfy { ($0.isLetter || $0.isNumber) && $0.isASCII } }
        let separated = characters.count > 7 && "-*".contains(characters[2]) && characters[6] == characters[2]
        guard separated || ([14, 15].contains(characters.count) && alphanumeric(characters[...])) else { return nil }
        let partyStart = separated ? 3 : 2
        guard characters[0...1].allSatisfy({ $0.isLetter && $0.isASCII }), alphanumeric(characters[partyStart..<partyStart + 3]) else { return nil }
        return (String(characters[0...1]), String(characters[partyStart..<partyStart + 3]))
    }

    func cdrToken(_ token: TokenSnapshot) -> JSONValue {
        .object([
            "country_code": .string(token.countryCode), "party_id": .string(token.partyId), "uid": .string(token.uid),
            "type": .string(token.type), "contract_id": .string(token.contractId),
        ])
    }

    /// The OCPI connector of an EVSE a Session names: its first (one OCPP connector serves an EVSE;
    /// the start-up checks make every EVSE list its connectors), else the OCPP connector's number.
    func connectorId(location: String, evse: String) -> String {
        let entry = locations.evse(location: location, uid: evse)
        return entry?.connectorIds.first ?? entry.map { String($0.connectorId) } ?? ""
    }

    /// The Location frozen into a CDR: address and coordinates, then the EVSE and connector used.
    func cdrLocation(_ locationId: String, evse evseUid: String) -> JSONValue {
        let location = locations.locations[locationId]
        var evse: JSONValue?
        if case .array(let evses)? = location?["evses"] { evse = evses.first { $0["uid"]?.stringValue == evseUid } }
        var connector: JSONValue?
        if case .array(let connectors)? = evse?["connectors"] { connector = connectors.first }
        var members: [String: JSONValue] = ["id": .string(locationId), "evse_uid": .string(evseUid)]
        for key in ["name", "address", "city", "postal_code", "state", "country", "coordinates"] {
            if let value = location?[key], value != .null { members[key] = value }
        }
        if let evseId = evse?["evse_id"] { members["evse_id"] = evseId }
        let pairs = [
            ("id", "connector_id"), ("standard", "connector_standard"), ("format", "connector_format"), ("power_type", "connector_power_type"),
        ]
        for (from, to) in pairs {
            if let value = connector?[from] { members[to] = value }
        }
        return .object(members)
    }
}
