import Ledger

/// Reads of the log itself that must share a snapshot with read models (an ops action decides on
/// a delivery's state and appends at the stream version read with it).
public enum LogQueries {
    /// The position of the last event (0 for an empty log), in the snapshot's view.
    public static var head: ProjectionQuery<Int64> {
        ProjectionQuery { reader in try reader.integer("SELECT coalesce(max(position), 0) FROM events") }
    }

    /// The last version of a stream (0 when it has none).
    public static func version(of streamId: String) -> ProjectionQuery<Int64> {
        ProjectionQuery { reader in try reader.integer("SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = ?", [.text(streamId)]) }
    }

    /// The position of the first event recorded at or after `time` (none yet: one past the head).
    public static func firstPosition(recordedFrom time: Timestamp) -> ProjectionQuery<Int64> {
        ProjectionQuery { reader in
            try reader.integer(
                "SELECT coalesce(min(position), (SELECT coalesce(max(position), 0) + 1 FROM events)) FROM events WHERE recorded_at >= ?",
                [.text(time.iso8601)]
            )
        }
    }

    /// The rows of each table named, for a summary ("the day's ledger: 212 events, …"). Only the
    /// log's and the read models' own tables are counted.
    public static func rowCounts(_ tables: [String]) -> ProjectionQuery<[(table: String, rows: Int64)]> {
        ProjectionQuery { reader in
            try tables.map { table in
                guard table == "events" || table == "anomalies" || ProjectionEngine.tableNames.contains(table) else { return (table, 0) }
                return (table, try reader.integer("SELECT count(*) FROM \(table)"))
            }
        }
    }
}
