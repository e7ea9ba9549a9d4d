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
        guard let last = events.last else { return }
        var checkpoints: [String: Int64] = [:]
        for row in try database.rows("SELECT name, position FROM projection_checkpoints") {
            if let name = row[0].text, let position = row[1].integer { checkpoints[name] = position }
        }
        for recorded in events {
            let event = try decode(recorded)
            for table in Self.tables where recorded.position > checkpoints[table.name, default: 0] {
                try table.apply(event, in: database)
            }
        }
        try database.execute("UPDATE projection_checkpoints SET position = ? WHERE position < ?", [.integer(last.position), .integer(last.position)])
    }

    public func checkpoint(in database: Database) throws -> Int64 {
        try database.rows("SELECT min(position) FROM projection_checkpoints").first?.first?.integer ?? 0
    }
}
