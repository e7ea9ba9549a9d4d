import Domain
import Ledger

/// All projections, kept in step with the log inside every append transaction.
///
/// Install it as the store's observer: `SQLiteEventStore(path:observer: ProjectionEngine())`.
/// An event the catalogue cannot decode is refused (the append fails) so that the log never holds
/// what its read models could not take.
public final class ProjectionEngine: TransactionObserver {
    public let catalogue: EventCatalogue

    public init(catalogue: EventCatalogue = .standard) {
        self.catalogue = catalogue
    }

    /// The projections' table names, in the order they are folded.
    public static let tableNames = tables.map(\.name)

    /// Every projection, in fold order.
    static let tables: [any LiveProjection] = [
        ProjectionTable(CommandsProjection()), ProjectionTable(SessionsProjection()), ProjectionTable(CdrsProjection()),
        ProjectionTable(AuthorizationLinksProjection()), ProjectionTable(TimersProjection()),
        ProjectionTable(DeliveriesProjection()), ProjectionTable(ChargePointsProjection()),
    ]

    public func decode(_ recorded: RecordedEvent) throws(CatalogueError) -> LoggedEvent {
        LoggedEvent(position: recorded.position, recordedAt: recorded.recordedAt, event: try catalogue.decode(recorded))
    }

    /// Folds the events into every projection that has not seen them (each has its own
    /// checkpoint: a projection added by a later migration catches up alone).
    public func apply(_ events: [RecordedEvent], in database: Database) throws {
        guard !events.isEmpty else { return }
        var checkpoints: [String: Int64] = [:]
        for row in try database.rows(Self.checkpointsSQL) {
            if let name = row[0].text, let position = row[1].integer { checkpoints[name] = position }
        }
        let batch = try batch(events, checkpoints: checkpoints)
        var stored: [String: [String: String]] = [:]
        for (table, keys) in batch.reads { stored[table] = try database.bodies(table, keys) }
        for changes in try fold(batch, stored: stored).tables where !changes.isEmpty { try database.write(changes) }
        try database.execute(Self.advanceCheckpointsSQL, [.integer(batch.position)])
    }

    public func checkpoint(in database: Database) throws -> Int64 {
        try database.rows("SELECT min(position) FROM projection_checkpoints").first?.first?.integer ?? 0
    }
}
