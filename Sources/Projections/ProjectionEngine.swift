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
    public static let tableNames = [
        CommandsProjection.name, SessionsProjection.name, CdrsProjection.name,
        AuthorizationLinksProjection.name, TimersProjection.name, DeliveriesProjection.name,
    ]

    private let commands = ProjectionTable(CommandsProjection())
    private let sessions = ProjectionTable(SessionsProjection())
    private let cdrs = ProjectionTable(CdrsProjection())
    private let authorizations = ProjectionTable(AuthorizationLinksProjection())
    private let timers = ProjectionTable(TimersProjection())
    private let deliveries = ProjectionTable(DeliveriesProjection())

    public func decode(_ recorded: RecordedEvent) throws(CatalogueError) -> LoggedEvent {
        LoggedEvent(position: recorded.position, recordedAt: recorded.recordedAt, event: try catalogue.decode(recorded))
    }

    public func apply(_ events: [RecordedEvent], in database: Database) throws {
        guard let last = events.last else { return }
        for recorded in events {
            let event = try decode(recorded)
            try commands.apply(event, in: database)
            try sessions.apply(event, in: database)
            try cdrs.apply(event, in: database)
            try authorizations.apply(event, in: database)
            try timers.apply(event, in: database)
            try deliveries.apply(event, in: database)
        }
        try database.execute("UPDATE projection_checkpoints SET position = ?", [.integer(last.position)])
    }

    public func checkpoint(in database: Database) throws -> Int64 {
        try database.rows("SELECT min(position) FROM projection_checkpoints").first?.first?.integer ?? 0
    }
}
