import Foundation
import Ledger

/// What OCPI 2.2.1 requires of a Session or CDR beyond its JSON types — the rules the spec
/// digest's §11.4 found third-party schemas miss — checked on what this ledger sends: members of
/// the 2.1.1 shape, owners, UTC timestamps, a PATCH's `last_updated`, `Price` objects, the
/// `CdrToken`'s owner, CDR ids, non-empty periods and totals that add up (§7.5). Each problem is
/// one sentence naming the member; none means the object is fit to send.
enum OCPI221Checks {
    /// A Session as PUT (`patch` false) or PATCHed; `owner`: the `{country_code}/{party_id}` of the
    /// URL it goes to, which must be the object's (X2-09).
    static func session(_ object: JSONValue, patch: Bool = false, owner: String? = nil) -> [String] {
        guard case .object(let members) = object else { return ["the Session is not a JSON object"] }
        var problems = retired(members, ["start_datetime", "end_datetime", "auth_id", "location", "authorization_id"])
        problems += timestamps(object, at: "")
        if let cost = members["total_cost"], !isPrice(cost) { problems.append("total_cost must be a Price object {excl_vat, incl_vat?}") }
        if patch {
            if members["last_updated"] == nil { problems.append("a PATCH must carry last_updated") }
            return problems
        }
        problems += missing(
            members,
            [
                "country_code", "party_id", "id", "start_date_time", "kwh", "cdr_token", "auth_method", "location_id", "evse_uid", "connector_id",
                "currency", "status", "last_updated",
            ]
        )
        problems += cdrToken(members["cdr_token"])
        if let status = members["status"]?.stringValue, !["ACTIVE", "COMPLETED", "INVALID", "PENDING", "RESERVATION"].contains(status) {
            problems.append("status \(status) is not a 2.2.1 SessionStatus")
        }
        if let owner, let country = members["country_code"]?.stringValue, let party = members["party_id"]?.stringValue,
            owner.caseInsensitiveCompare("\(country)/\(party)") != .orderedSame
        {
            problems.append("the URL names \(owner) but the Session is \(country)/\(party)'s")
        }
        return problems
    }

    /// A CDR as POSTed.
    static func cdr(_ object: JSONValue) -> [String] {
        guard case .object(let members) = object else { return ["the CDR is not a JSON object"] }
        var problems = retired(members, ["stop_date_time", "auth_id", "location", "authorization_id"])
        problems += timestamps(object, at: "")
        problems += missing(
            members,
            [
                "country_code", "party_id", "id", "start_date_time", "end_date_time", "cdr_token", "auth_method", "cdr_location", "currency",
                "charging_periods", "total_cost", "total_energy", "total_time", "last_updated",
            ]
        )
        problems += cdrToken(members["cdr_token"])
        if let id = members["id"]?.stringValue, id.count > 36, members["credit"] != .bool(true) {
            problems.append("id has \(id.count) characters: a CDR that is not a credit keeps to 36")
        }
        if case .array(let periods)? = members["charging_periods"], periods.isEmpty { problems.append("charging_periods must not be empty") }
        for (name, cost) in members where name.hasPrefix("total_") && name.hasSuffix("_cost") || name == "total_cost" {
            if !isPrice(cost) { problems.append("\(name) must be a Price object {excl_vat, incl_vat?}") }
        }
        problems += totals(members)
        return problems
    }

    /// The members a 2.1.1 object has and a 2.2.1 one must not (X2-08, X2-14).
    private static func retired(_ members: [String: JSONValue], _ names: [String]) -> [String] {
        names.filter { members[$0] != nil }.map { "\($0) is OCPI 2.1.1's: not a 2.2.1 member" }
    }

    private static func missing(_ members: [String: JSONValue], _ names: [String]) -> [String] {
        names.filter { members[$0] == nil || members[$0] == .null }.map { "\($0) is required" }
    }

    /// The `CdrToken`'s five members, its owner included (X2-15).
    private static func cdrToken(_ token: JSONValue?) -> [String] {
        guard let token else { return [] }
        return ["country_code", "party_id", "uid", "type", "contract_id"].filter { token[$0]?.stringValue == nil }.map {
            "cdr_token.\($0) is required"
        }
    }

    private static func isPrice(_ value: JSONValue) -> Bool {
        guard case .object = value, case .number? = value["excl_vat"] else { return false }
        return true
    }

    /// Every member named like a DateTime must be UTC, written with `Z` (X2-12: `+01:00`, even
    /// `+00:00`, is not).
    private static func timestamps(_ value: JSONValue, at path: String) -> [String] {
        switch value {
        case .object(let members):
            return members.sorted { $0.key < $1.key }.flatMap { name, member -> [String] in
                let here = path.isEmpty ? name : "\(path).\(name)"
                if name.hasSuffix("date_time") || name == "last_updated", let text = member.stringValue {
                    return Timestamp(iso8601: text) != nil && text.hasSuffix("Z") ? [] : ["\(here) \(text) is not a UTC DateTime ending in Z"]
                }
                return timestamps(member, at: here)
            }
        case .array(let items):
            return items.enumerated().flatMap { timestamps($1, at: "\(path)[\($0)]") }
        default:
            return []
        }
    }

    /// The parts add up (X2-17): the costs per dimension to `total_cost` (to the cent, each being
    /// rounded on its own), and the periods' ENERGY to `total_energy`.
    private static func totals(_ members: [String: JSONValue]) -> [String] {
        var problems: [String] = []
        func amount(_ name: String) -> Decimal? { members[name]?["excl_vat"].flatMap(decimal) }
        let parts = ["total_fixed_cost", "total_energy_cost", "total_time_cost", "total_parking_cost", "total_reservation_cost"].compactMap(amount)
        if let total = amount("total_cost"), !parts.isEmpty {
            let sum = parts.reduce(0, +)
            if abs(Double(truncating: (sum - total) as NSDecimalNumber)) > Double(parts.count) * 0.005 {
                problems.append("the costs per dimension add up to \(sum), not total_cost \(total)")
            }
        }
        if case .array(let periods)? = members["charging_periods"], let total = members["total_energy"].flatMap(decimal) {
            let energy = periods.flatMap { period -> [JSONValue] in
                guard case .array(let dimensions)? = period["dimensions"] else { return [] }
                return dimensions.filter { $0["type"]?.stringValue == "ENERGY" }
            }
            .compactMap { $0["volume"].flatMap(decimal) }.reduce(0, +)
            if abs(Double(truncating: (energy - total) as NSDecimalNumber)) > 0.001 {
                problems.append("the periods' ENERGY adds up to \(energy) kWh, not total_energy \(total)")
            }
        }
        return problems
    }

    private static func decimal(_ value: JSONValue) -> Decimal? {
        guard case .number(let text) = value else { return nil }
        return Decimal(string: text)
    }
}
