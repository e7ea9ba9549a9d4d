import Foundation
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
        fold(LoggedEvent(position: recorded.position, recordedAt: recorded.recordedAt, event: try catalogue.decode(recorded)))
    }

    /// Folds the whole log of `store`, from position 0; returns the number of events.
    ///
    /// Decoding is most of the work and needs no order, so each page is decoded on all cores while
    /// the next page is read; folding then runs in log order on one.
    public func run(from store: any EventStore, pageSize: Int = 8192) async throws -> Int64 {
        let catalogue = self.catalogue
        let lanes = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var count: Int64 = 0
        var page = try await store.readAll(after: 0, limit: pageSize)
        while let last = page.last {
            async let next = store.readAll(after: last.position, limit: pageSize)
            let current = page
            let chunk = (current.count + lanes - 1) / lanes
            // Each lane stops at its first unreadable event; the earliest lane's error is the
            // earliest position, which is the one a replay must name.
            let lanesDecoded = await withTaskGroup(of: (Int, Result<[LoggedEvent], CatalogueError>).self) { group in
                for lane in 0..<lanes where lane * chunk < current.count {
                    group.addTask {
                        let slice = current[(lane * chunk)..<min(current.count, (lane + 1) * chunk)]
                        return (lane, Result { () throws(CatalogueError) in
                            try slice.map { recorded throws(CatalogueError) in
                                LoggedEvent(position: recorded.position, recordedAt: recorded.recordedAt, event: try catalogue.decode(recorded))
                            }
                        })
                    }
                }
                var results = [Result<[LoggedEvent], CatalogueError>](repeating: .success([]), count: lanes)
                for await (lane, result) in group { results[lane] = result }
                return results
            }
            let decoded = try lanesDecoded.map { try $0.get() }
            for events in decoded { for event in events { fold(event) } }
            count += Int64(current.count)
            page = try await next
        }
        return count
    }

    private func fold(_ event: LoggedEvent) {
        commands.apply(event)
        sessions.apply(event)
        cdrs.apply(event)
        authorizations.apply(event)
        timers.apply(event)
        deliveries.apply(event)
        lastPosition = event.position
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
