import Domain
import Ledger

/// All projections, kept in step with the log inside every append transaction: the
/// `ReadModelPort` both stores take (`SQLiteEventStore(path:readModels: ProjectionEngine())`,
/// `PostgresEventStore.open(url:readModels:)`). An event the catalogue cannot decode is refused
/// (the append fails) so that the log never holds what its read models could not take.
public final class ProjectionEngine: ReadModelPort {
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
        ProjectionTable(DeliveriesProjection()), ProjectionTable(ChargePointsProjection()), ProjectionTable(TariffsProjection()),
        ProjectionTable(EvseStatusesProjection()), ProjectionTable(IOPConnectionProjection()),
        ProjectionTable(PublishedLocationsProjection()), ProjectionTable(OCPIRequestsProjection()),
    ]

    public func migrations(for dialect: SQLDialect) -> [Migration] {
        switch dialect {
        case .sqlite: Migration.projectionsSQLite
        case .postgres: Migration.projectionsPostgres
        }
    }

    /// `recorded` decoded, or taken from the `payload` it was appended with (`EventCatalogue`).
    public func decode(_ recorded: RecordedEvent, payload: (any Sendable)? = nil) throws(CatalogueError) -> LoggedEvent {
        LoggedEvent(position: recorded.position, recordedAt: recorded.recordedAt, event: try catalogue.decode(recorded, payload: payload))
    }

    public func admit(_ events: [RecordedEvent], payloads: [(any Sendable)?]) throws(RefusedEvent) -> AdmittedEvents {
        var decoded: [LoggedEvent] = []
        decoded.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            do {
                decoded.append(try decode(event, payload: payloads.indices.contains(index) ? payloads[index] : nil))
            } catch {
                throw RefusedEvent(position: event.position, reason: "\(error)")
            }
        }
        return AdmittedEvents(decoded: decoded)
    }

    public func plan(_ events: [AdmittedEvents], checkpoints: [String: Int64]) -> ReadModelPlan {
        // Only this engine's `admit` makes the batches it is handed back.
        let decoded = events.flatMap { $0.decoded as! [LoggedEvent] }
        let batch = batch(decoded: decoded, checkpoints: checkpoints)
        return ReadModelPlan(reads: batch.reads, position: batch.position, state: batch)
    }

    public func fold(_ plan: ReadModelPlan, stored: [String: [String: String]]) throws -> [ReadModelWrite] {
        try fold(plan.state as! ProjectionBatch, stored: stored).tables.flatMap(\.writes)
    }
}
