import Ledger

/// What the IOP would refuse, or Gireve's quality process flag, in a locations file: the fields
/// OCPI 2.1.1 requires and those Gireve requires although OCPI makes them optional (spec digest
/// §4.1, §4.4; vectors L-06…L-12). `ledger serve` refuses to start with any of them, each problem
/// named with its place in the file — better than an IOP silently discarding a Location for days.
extension LocationRegistry {
    /// Every problem, `[2].evses[0].evse_id …`-style; empty when the file can be published as is.
    /// `countryCode`/`partyId` make the eMI3 Operator Id every `evse_id` must start with (`FR*ABC`).
    /// `version` 2.2.1 adds what publishing in 2.2.1 needs (spec digest §2.2, §9): ids and uids of
    /// at most 36 characters, unique regardless of case (2.2.1 ids are CiString), and a `time_zone`.
    public func problems(countryCode: String, partyId: String, version: OCPIVersion = .v211) -> [String] {
        let operatorId = "\(countryCode)*\(partyId)*".uppercased()
        var problems: [String] = []
        var seen: [String: String] = [:]
        for (index, id) in locationIds.enumerated() {
            guard let location = locations[id] else { continue }
            let at = "[\(index)] (location \(id))"
            if version == .v221 { problems += Self.problems221(location, id: id, at: at, seen: &seen) }
            for field in ["type", "address", "city", "postal_code", "country", "last_updated"] where location[field]?.stringValue == nil {
                problems.append("\(at): \(field) is required")
            }
            problems += Self.coordinateProblems(location["coordinates"], at: at)
            for role in ["operator", "owner"] where location[role]?["name"]?.stringValue?.isEmpty ?? true {
                problems.append("\(at): \(role).name is required by Gireve")
            }
            guard case .array(let evses)? = location["evses"] else { continue }
            for (evseIndex, evse) in evses.enumerated() {
                let evseAt = "\(at).evses[\(evseIndex)] (EVSE \(evse["uid"]?.stringValue ?? "?"))"
                problems += Self.evseProblems(evse, at: evseAt, operatorId: operatorId)
            }
        }
        return problems
    }

    /// A Location's 2.2.1 requirements; `seen`: the ids met so far, upper-cased, with where.
    private static func problems221(_ location: JSONValue, id: String, at: String, seen: inout [String: String]) -> [String] {
        var problems: [String] = []
        if location["time_zone"]?.stringValue == nil { problems.append("\(at): time_zone is required in OCPI 2.2.1") }
        var ids = [(id, at, "id")]
        if case .array(let evses)? = location["evses"] {
            ids += evses.enumerated().compactMap { index, evse in evse["uid"]?.stringValue.map { ($0, "\(at).evses[\(index)]", "uid") } }
        }
        for (value, place, field) in ids {
            if value.count > 36 { problems.append("\(place): \(field) \(value) is longer than OCPI 2.2.1's 36 characters") }
            // EVSE uids need only be unique within their Location; Location ids across the file.
            let key = field == "id" ? "location:\(value.uppercased())" : "\(id)/\(value.uppercased())"
            if let first = seen[key] {
                problems.append("\(place): \(field) \(value) is \(first)'s but for case (OCPI 2.2.1 ids are case-insensitive)")
            }
            seen[key] = seen[key] ?? place
        }
        return problems
    }

    /// OCPI 2.1.1 Status values (`mod_locations` §4.20).
    static let statuses: Set<String> = ["AVAILABLE", "BLOCKED", "CHARGING", "INOPERATIVE", "OUTOFORDER", "PLANNED", "REMOVED", "RESERVED", "UNKNOWN"]

    private static func coordinateProblems(_ coordinates: JSONValue?, at: String) -> [String] {
        guard let coordinates else { return ["\(at): coordinates is required"] }
        // Strings with exactly six decimals (`mod_locations` §4.12): "48.876543", not 48.8765.
        return [("latitude", 2), ("longitude", 3)].compactMap { field, integerDigits in
            guard let text = coordinates[field]?.stringValue, isCoordinate(text, integerDigits: integerDigits) else {
                return "\(at): coordinates.\(field) must be a string with 6 decimals, e.g. \"48.876543\""
            }
            return nil
        }
    }

    /// `-?[0-9]{1,integerDigits}\.[0-9]{6}`.
    private static func isCoordinate(_ text: String, integerDigits: Int) -> Bool {
        let unsigned = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        let parts = unsigned.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...integerDigits).contains(parts[0].count), parts[1].count == 6 else { return false }
        return parts.allSatisfy { $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    private static func evseProblems(_ evse: JSONValue, at: String, operatorId: String) -> [String] {
        var problems: [String] = []
        if evse["last_updated"]?.stringValue == nil { problems.append("\(at): last_updated is required") }
        if let status = evse["status"]?.stringValue, !statuses.contains(status) {
            problems.append("\(at): status \(status) is not an OCPI 2.1.1 status (\(statuses.sorted().joined(separator: ", ")))")
        }
        if let evseId = evse["evse_id"]?.stringValue {
            if !evseId.uppercased().hasPrefix(operatorId) {
                problems.append("\(at): evse_id \(evseId) must start with this operation's eMI3 Operator Id \(operatorId) (Gireve)")
            }
        } else if evse["status"]?.stringValue != "REMOVED" {
            problems.append("\(at): evse_id is required by Gireve (eMI3, e.g. \(operatorId)E0001*1)")
        }
        if case .array(let capabilities)? = evse["capabilities"], !capabilities.isEmpty {
        } else {
            problems.append("\(at): capabilities is required by Gireve (e.g. RFID_READER, REMOTE_START_STOP_CAPABLE)")
        }
        for field in ["floor_level", "physical_reference"] where evse[field] != nil && evse[field]?.stringValue == nil {
            problems.append("\(at): \(field) must be a string")
        }
        guard case .array(let connectors)? = evse["connectors"], !connectors.isEmpty else {
            return problems + ["\(at): connectors is required (at least one)"]
        }
        for (index, connector) in connectors.enumerated() {
            let connectorAt = "\(at).connectors[\(index)]"
            for field in ["id", "standard", "format", "power_type", "last_updated"] where connector[field]?.stringValue == nil {
                problems.append("\(connectorAt): \(field) is required")
            }
            for field in ["voltage", "amperage"] where connector[field]?.int64Value == nil {
                problems.append("\(connectorAt): \(field) is required (an integer)")
            }
            if connector["tariff_id"]?.stringValue == nil { problems.append("\(connectorAt): tariff_id is required by Gireve") }
        }
        return problems
    }
}
