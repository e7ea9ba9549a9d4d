import Domain
import Ledger

extension DeliveriesProjection {
    /// The outbox: pending and parked deliveries, lane by lane in the order they go out (at most
    /// `limit`). What the ops page lists and `ledger deliveries list` prints.
    public static func outbox(limit: Int) -> ProjectionQuery<[State]> {
        ProjectionQuery { reader in
            try reader.states(
                Self.self,
                "WHERE status IN (?, ?) ORDER BY target, sequence LIMIT ?",
                [.text(DeliveryStatus.pending.rawValue), .text(DeliveryStatus.parked.rawValue), .integer(Int64(limit))]
            )
        }
    }

    /// The first undelivered (pending or parked) delivery of each lane, in scheduling order: what
    /// the outbox may send next. Read row by row: in a long outage a lane holds thousands.
    public static var laneHeads: ProjectionQuery<[State]> {
        ProjectionQuery { reader in
            var heads: [String: State] = [:]
            try reader.forEachRow(
                "SELECT target, body FROM \(name) WHERE status IN (?, ?) ORDER BY target, sequence",
                [.text(DeliveryStatus.pending.rawValue), .text(DeliveryStatus.parked.rawValue)]
            ) { row in
                guard let target = row[0].text, heads[target] == nil, let body = row[1].text else { return }
                heads[target] = try EventCoding.decode(State.self, from: body)
            }
            return heads.values.sorted { $0.sequence < $1.sequence }
        }
    }

    /// Every delivery in `status`, in scheduling order.
    public static func all(_ status: DeliveryStatus) -> ProjectionQuery<[State]> {
        ProjectionQuery { reader in try reader.states(Self.self, "WHERE status = ? ORDER BY sequence", [.text(status.rawValue)]) }
    }

    /// How many deliveries are in `status`.
    public static func count(_ status: DeliveryStatus) -> ProjectionQuery<Int64> {
        ProjectionQuery { reader in try reader.integer("SELECT count(*) FROM \(name) WHERE status = ?", [.text(status.rawValue)]) }
    }

    /// The outbox (pending and parked deliveries) counted by lane kind — `command_result`,
    /// `session` (Session PUT/PATCH and CDR), `tariff`, `location`, `evse_status` — and status: read through the
    /// outbox's partial index, so a scrape does not scan every delivery ever made.
    public static var outboxByLane: ProjectionQuery<[(lane: String, status: String, count: Int64)]> {
        ProjectionQuery { reader in
            let lane = """
                CASE WHEN target LIKE 'session:%' THEN 'session' WHEN target LIKE 'tariff:%' THEN 'tariff' \
                WHEN target LIKE 'evse:%' THEN 'evse_status' WHEN target LIKE 'location:%' THEN 'location' ELSE 'command_result' END
                """
            return try reader.rows(
                "SELECT \(lane), status, count(*) FROM \(name) WHERE status IN ('pending', 'parked') GROUP BY 1, 2 ORDER BY 1, 2",
                []
            ).compactMap { row in
                guard let lane = row[0].text, let status = row[1].text, let count = row[2].integer else { return nil }
                return (lane, status, count)
            }
        }
    }

    /// The pending delivery scheduled first (sequences are taken in scheduling order).
    public static var oldestPending: ProjectionQuery<State?> {
        ProjectionQuery { reader in
            try reader.states(Self.self, "WHERE status = ? ORDER BY sequence LIMIT 1", [.text(DeliveryStatus.pending.rawValue)]).first
        }
    }
}
