import CanonicalCoding
import Domain
import Ledger

/// Each EVSE's OCPI status as last published, by `location/uid`: the status the Locations module
/// serves, the one a new charger report is compared with (only a change is pushed), and when it
/// changed (the EVSE's and its Location's `last_updated`).
public struct EvseStatusesProjection: Projection {
    @Canonical
    public struct State: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
        public var locationId: String
        public var evseUid: String
        public var chargePointId: String
        public var status: String
        public var cause: String
        /// `EvseStatusChanged.at` of the current status.
        public var lastUpdated: Timestamp
        /// How many changes, the first included.
        public var changes: Int
        public var positions: [Int64]
    }

    public static let name = "evse_statuses"
    public static let columnNames = ["location_id", "last_updated"]

    public init() {}

    public static func key(location: String, uid: String) -> String { "\(location)/\(uid)" }

    public func key(for event: DomainEvent) -> String? {
        guard case .evseStatusChanged(let e) = event else { return nil }
        return Self.key(location: e.locationId, uid: e.evseUid)
    }

    public func apply(_ state: inout State?, _ logged: LoggedEvent) {
        guard case .evseStatusChanged(let e) = logged.event else { return }
        state = State(
            locationId: e.locationId,
            evseUid: e.evseUid,
            chargePointId: e.chargePointId,
            status: e.status,
            cause: e.cause,
            lastUpdated: e.at,
            changes: (state?.changes ?? 0) + 1,
            positions: (state?.positions ?? []) + [logged.position]
        )
    }

    public func columns(_ state: State) -> [SQLValue] { [.text(state.locationId), .text(state.lastUpdated.iso8601)] }

    public func lastPosition(_ state: State) -> Int64? { state.positions.last }
}
