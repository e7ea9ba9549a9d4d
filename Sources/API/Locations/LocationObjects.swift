import Foundation
import Ledger
import Projections

/// The OCPI 2.1.1 Locations the IOP pulls: the locations file as configured, each EVSE with its
/// status as last published (`EvseStatusesProjection`), so a pull and the pushes agree.
///
/// `last_updated` follows OCPI's rule: an EVSE's is the later of the file's and its last status
/// change, and a Location's the latest of its own and its EVSEs' — so a delta pull (`date_from`)
/// finds a Location whose EVSE changed (vector L-18).
struct LocationObjects {
    let locations: LocationRegistry
    /// Published statuses by `location/uid` (`EvseStatusesProjection.all`).
    let statuses: [String: EvseStatusesProjection.State]

    /// Set by the CPO in the file, never derived from OCPP: they stand whatever the charger says.
    static let backOfficeStatuses: Set<String> = ["PLANNED", "REMOVED", "BLOCKED"]

    /// A Location with its live EVSEs and its `last_updated`; `nil` if the file has none of that id.
    /// `includeRemoved`: keep EVSEs whose status is `REMOVED` (a delta pull shows the removal,
    /// a full pull omits them: spec digest §4.2 [REC]).
    func location(_ id: String, includeRemoved: Bool = true) -> (object: JSONValue, lastUpdated: Timestamp)? {
        guard case .object(var members)? = locations.published(id) else { return nil }
        var lastUpdated = Self.timestamp(members["last_updated"])
        var evses: [JSONValue] = []
        if case .array(let configured)? = members["evses"] {
            for configuredEVSE in configured {
                guard let (evse, evseUpdated) = evse(configuredEVSE, location: id) else { continue }
                lastUpdated = max(lastUpdated, evseUpdated)
                if includeRemoved || evse["status"]?.stringValue != "REMOVED" { evses.append(evse) }
            }
            members["evses"] = .array(evses)
        }
        members["last_updated"] = .string(lastUpdated.ocpiDateTime)
        return (.object(members), lastUpdated)
    }

    /// One EVSE of a Location, as `location(_:)` shows it.
    func evse(location: String, uid: String) -> JSONValue? {
        guard case .array(let configured)? = locations.published(location)?["evses"] else { return nil }
        return configured.first { $0["uid"]?.stringValue == uid }.flatMap { evse($0, location: location)?.object }
    }

    /// Every Location `last_updated` in `[from, to)`, in the file's order; without `from` (a full
    /// pull), only those with an EVSE not `REMOVED`, and without their removed EVSEs.
    func list(updatedFrom from: Timestamp?, updatedBefore to: Timestamp?) -> [JSONValue] {
        locations.locationIds.compactMap { id in
            guard let (object, lastUpdated) = location(id, includeRemoved: from != nil) else { return nil }
            if let from, lastUpdated < from { return nil }
            if let to, lastUpdated >= to { return nil }
            if from == nil, case .array(let evses)? = object["evses"], evses.isEmpty, locations.locations[id]?["evses"] != nil { return nil }
            return object
        }
    }

    /// A published EVSE (`LocationRegistry.published`) with its status live, and its `last_updated`.
    private func evse(_ configured: JSONValue, location: String) -> (object: JSONValue, lastUpdated: Timestamp)? {
        guard case .object(var members) = configured, let uid = members["uid"]?.stringValue else { return nil }
        var lastUpdated = Self.timestamp(members["last_updated"])
        let configuredStatus = members["status"]?.stringValue ?? ""
        if !Self.backOfficeStatuses.contains(configuredStatus) {
            let published = statuses[EvseStatusesProjection.key(location: location, uid: uid)]
            // Never reported since the ledger began: OCPI's "no status information available".
            members["status"] = .string(published?.status ?? "UNKNOWN")
            if let published { lastUpdated = max(lastUpdated, published.lastUpdated) }
        }
        members["last_updated"] = .string(lastUpdated.ocpiDateTime)
        return (.object(members), lastUpdated)
    }

    private static func timestamp(_ value: JSONValue?) -> Timestamp {
        value?.stringValue.flatMap(Timestamp.init(iso8601:)) ?? Timestamp(millisecondsSinceEpoch: 0)
    }
}
