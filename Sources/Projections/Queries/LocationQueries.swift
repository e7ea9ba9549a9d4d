import Ledger

extension EvseStatusesProjection {
    /// Every EVSE's published status, keyed by `location/uid`: a CPO's whole network is a few
    /// thousand rows, read at once to build Locations.
    public static var all: ProjectionQuery<[String: State]> {
        ProjectionQuery { reader in
            Dictionary(uniqueKeysWithValues: try reader.states(Self.self, "ORDER BY key").map { (key(location: $0.locationId, uid: $0.evseUid), $0) })
        }
    }

    /// The published statuses of a charge point's EVSEs, keyed by `location/uid`.
    public static func of(_ evses: [(location: String, uid: String)]) -> ProjectionQuery<[String: State]> {
        ProjectionQuery { reader in
            var found: [String: State] = [:]
            for evse in evses {
                let key = key(location: evse.location, uid: evse.uid)
                if let state = try reader.state(Self.self, key) { found[key] = state }
            }
            return found
        }
    }
}

extension PublishedLocationsProjection {
    /// Every Location ever published, by id.
    public static var all: ProjectionQuery<[String: State]> {
        ProjectionQuery { reader in Dictionary(uniqueKeysWithValues: try reader.states(Self.self, "ORDER BY key").map { ($0.locationId, $0) }) }
    }
}
