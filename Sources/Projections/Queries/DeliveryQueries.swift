import Domain
import Ledger

extension DeliveriesProjection {
    /// The outbox index's own condition (`deliveries_outbox`: pending and parked deliveries by
    /// lane), for `alias`'s rows. SQLite uses a partial index only when the query repeats its
    /// condition: with the statuses bound as parameters it scanned every delivery ever made —
    /// 25 ms per 100,000 at every pass of the outbox (docs/performance.md).
    static func inOutbox(_ alias: String = name) -> String { "\(alias).status IN ('pending', 'parked')" }

    /// The statuses the outbox index holds: their queries go through it.
    private static func condition(_ status: DeliveryStatus) -> String {
        status == .pending || status == .parked ? "\(inOutbox()) AND status = ?" : "status = ?"
    }

    /// The outbox: pending and parked deliveries, lane by lane in the order they go out (at most
    /// `limit`). What the ops page lists and `ledger deliveries list` prints.
    public static func outbox(limit: Int) -> ProjectionQuery<[State]> {
        ProjectionQuery { reader in
            try reader.states(Self.self, "WHERE \(inOutbox()) ORDER BY target, sequence LIMIT ?", [.integer(Int64(limit))])
        }
    }

    /// The pending deliveries at the head of their lane (nothing undelivered before them in it),
    /// in scheduling order: what the outbox may send next. Decoded one by one until `limit` of
    /// them are `counted`; `complete` says whether every head was read.
    ///
    /// The outbox reads this at every pass, and a pass starts at every append: reading and
    /// decoding every head each time — each command result is a lane of its own, so a backlog of
    /// a thousand results is a thousand heads — took a quarter of the server's CPU on the ACCEPTED
    /// command path (docs/performance.md). Now the database finds the heads through the outbox
    /// index — its partial condition spelled out in both scans, so that SQLite uses it rather than
    /// scanning every delivery ever made —, parked heads stay unread (they hold their lane and
    /// are not sent), and decoding stops once the sender has enough.
    public static func laneHeads(
        stoppingAfter limit: Int,
        counted: @escaping @Sendable (State) -> Bool
    ) -> ProjectionQuery<(heads: [State], complete: Bool)> {
        ProjectionQuery { reader in
            var heads: [State] = []
            var found = 0
            var complete = true
            try reader.forEachRow(laneHeadsSQL, []) { row in
                guard complete, let body = row[0].text else { return }
                guard found < limit else {
                    complete = false
                    return
                }
                let head = try EventCoding.decode(State.self, from: body)
                heads.append(head)
                if counted(head) { found += 1 }
            }
            return (heads, complete)
        }
    }

    /// The pending heads, in scheduling order: a pending delivery with nothing undelivered before it
    /// in its lane. Both scans go through the outbox index.
    static let laneHeadsSQL = """
        SELECT body FROM \(name) AS head WHERE \(inOutbox("head")) AND head.status = 'pending' AND NOT EXISTS (
            SELECT 1 FROM \(name) AS earlier WHERE earlier.target = head.target AND \(inOutbox("earlier")) AND earlier.sequence < head.sequence
        ) ORDER BY head.sequence
        """

    /// Every delivery in `status`, in scheduling order.
    public static func all(_ status: DeliveryStatus) -> ProjectionQuery<[State]> {
        ProjectionQuery { reader in try reader.states(Self.self, "WHERE \(condition(status)) ORDER BY sequence", [.text(status.rawValue)]) }
    }

    /// How many deliveries are in `status` (what `/metrics` reads for pending and parked at every scrape).
    public static func count(_ status: DeliveryStatus) -> ProjectionQuery<Int64> {
        ProjectionQuery { reader in try reader.integer(countSQL(status), [.text(status.rawValue)]) }
    }

    static func countSQL(_ status: DeliveryStatus) -> String { "SELECT count(*) FROM \(name) WHERE \(condition(status))" }

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
                "SELECT \(lane), status, count(*) FROM \(name) WHERE \(inOutbox()) GROUP BY 1, 2 ORDER BY 1, 2",
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
