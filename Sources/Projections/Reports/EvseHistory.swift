import Domain
import Ledger

/// One EVSE's OCPI status history as the IOP was told it: each `EvseStatusChanged` (when, from
/// what, to what, why) with the PATCH that carried it and where that delivery stands. What the
/// ops page shows when a driver says the app showed the charger free.
public enum EvseHistory {
    public struct Change: Sendable {
        public let position: Int64
        public let change: EvseStatusChanged
        /// The PATCH's delivery; `nil` when none was scheduled (no IOP then).
        public let delivery: DeliveriesProjection.State?
    }

    /// The last `limit` changes, newest first; `nil` when the EVSE never had a status.
    public static func report(location: String, uid: String, limit: Int = 200, store: any ProjectionStore) async throws -> [Change]? {
        try await store.withProjectionSnapshot { database in
            guard let state = try database.state(EvseStatusesProjection.self, EvseStatusesProjection.key(location: location, uid: uid)) else {
                return nil
            }
            let positions = Array(state.positions.suffix(limit))
            guard !positions.isEmpty else { return [] }
            let list = Database.inList(positions.map { .integer($0) })
            let rows = try database.rows(
                "SELECT position, type, schema_version, data FROM events WHERE position IN \(list.placeholders) ORDER BY position DESC",
                list.arguments
            )
            // The n-th change's PATCH is `evse-status-<location>-<uid>-<n>` (`EvseStatusPublisher`).
            let first = state.changes - positions.count + 1
            return try rows.compactMap { row -> Change? in
                guard let position = row[0].integer, let type = row[1].text, let data = row[3].text,
                    case .evseStatusChanged(let change) = try EventCatalogue.standard.decode(
                        type: type,
                        schemaVersion: Int(row[2].integer ?? 1),
                        data: data,
                        position: position
                    ),
                    let index = positions.firstIndex(of: position)
                else { return nil }
                let delivery = try database.state(DeliveriesProjection.self, "evse-status-\(location)-\(uid)-\(first + index)")
                return Change(position: position, change: change, delivery: delivery)
            }
        }
    }
}
