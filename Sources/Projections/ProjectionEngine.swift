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

/// The projections folded in memory, for `ledger replay` and benchmarks: the same folds as the
/// live path, written to a database once at the end.
public final class ProjectionRebuild {
    private let catalogue: EventCatalogue
    private let commands = InMemoryFold(CommandsProjection())
    private let sessions = InMemoryFold(SessionsProjection())
    private let cdrs = InMemoryFold(CdrsProjection())
    private let authorizations = InMemoryFold(AuthorizationLinksProjection())
    private let timers = InMemoryFold(TimersProjection())
    private let deliveries = InMemoryFold(DeliveriesProjection())
    public private(set) var lastPosition: Int64 = 0

    public init(catalogue: EventCatalogue = .standard) {
        self.catalogue = catalogue
    }

    /// Folds one event; an event the catalogue cannot read stops the rebuild, naming its position.
    public func apply(_ recorded: RecordedEvent) throws(CatalogueError) {
        let event = LoggedEvent(position: recorded.position, recordedAt: recorded.recordedAt, event: try catalogue.decode(recorded))
        commands.apply(event)
        sessions.apply(event)
        cdrs.apply(event)
        authorizations.apply(event)
        timers.apply(event)
        deliveries.apply(event)
        lastPosition = recorded.position
    }

    /// Writes every state and the checkpoints, in one transaction.
    public func write(to database: Database) throws {
        try database.transaction {
            try commands.write(to: database)
            try sessions.write(to: database)
            try cdrs.write(to: database)
            try authorizations.write(to: database)
            try timers.write(to: database)
            try deliveries.write(to: database)
            try database.execute("UPDATE projection_checkpoints SET position = ?", [.integer(lastPosition)])
        }
    }
}
