import Domain
import Foundation
import Ledger

/// `ledger replay`: rebuild every projection from position 0 into fresh tables and compare them
/// with the live ones, row by row and byte for byte.
///
/// The rebuild happens in a scratch database, so the live tables are never touched — also not
/// when the log holds an event this binary cannot read (the outcome names its position).
public enum ReplayCheck {
    public enum Outcome: Sendable {
        case identical(events: Int64)
        case different(events: Int64, [TableDifference])
        case unreadable(CatalogueError)
    }

    /// Tables compared: every projection's, the anomalies and the checkpoints.
    public static let comparedTables = ProjectionEngine.tableNames + ["anomalies", "projection_checkpoints"]

    public static func run(
        store: some ProjectionStore,
        scratchPath: String,
        pageSize: Int = ProjectionRebuild.defaultPageSize
    ) async throws -> Outcome {
        let scratch = try Database.open(path: scratchPath, readModels: ProjectionEngine())
        let rebuild = try ProjectionRebuild(into: scratch)
        let count: Int64
        do {
            count = try await rebuild.run(from: store, pageSize: pageSize)
        } catch let error as CatalogueError {
            return .unreadable(error)
        }
        try rebuild.finish()
        var differences: [TableDifference] = []
        for table in comparedTables { differences += try await store.differences(in: table, from: scratch, limit: 100) }
        return differences.isEmpty ? .identical(events: count) : .different(events: count, differences)
    }
}
