import Foundation
import Ledger

/// `ledger replay`: rebuild every projection from position 0 into fresh tables and compare them
/// with the live ones, row by row and byte for byte.
///
/// The rebuild happens in a scratch database, so the live tables are never touched — also not
/// when the log holds an event this binary cannot read (the outcome names its position).
public enum ReplayCheck {
    public struct Difference: Sendable, CustomStringConvertible {
        public let table: String
        /// `only in live tables` or `only in replay`.
        public let side: String
        public let row: String
        public var description: String { "\(table): \(side): \(row)" }
    }

    public enum Outcome: Sendable {
        case identical(events: Int64)
        case different(events: Int64, [Difference])
        case unreadable(CatalogueError)
    }

    /// Tables compared: every projection's, the anomalies and the checkpoints.
    public static let comparedTables = ProjectionEngine.tableNames + ["anomalies", "projection_checkpoints"]

    public static func run(store: SQLiteEventStore, scratchPath: String, pageSize: Int = 8192) async throws -> Outcome {
        let scratch = try Database.open(path: scratchPath)
        let rebuild = try ProjectionRebuild(into: scratch)
        let count: Int64
        do {
            count = try await rebuild.run(from: store, pageSize: pageSize)
        } catch let error as CatalogueError {
            return .unreadable(error)
        }
        try rebuild.finish()
        try scratch.execute("ATTACH DATABASE ? AS live", [.text(store.path)])
        var differences: [Difference] = []
        for table in comparedTables {
            for (side, left, right) in [("only in live tables", "live", "main"), ("only in replay", "main", "live")] {
                let rows = try scratch.rows("SELECT * FROM \(left).\(table) EXCEPT SELECT * FROM \(right).\(table) ORDER BY 1 LIMIT 100")
                differences += rows.map { Difference(table: table, side: side, row: $0.map(\.description).joined(separator: " | ")) }
            }
        }
        try scratch.execute("DETACH DATABASE live")
        return differences.isEmpty ? .identical(events: count) : .different(events: count, differences)
    }
}
