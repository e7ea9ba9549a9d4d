import Domain
import Ledger

/// The live fold of a batch of just-appended events, worked out in memory so that every store
/// folds the same way: the store reads the rows `reads` names, `ProjectionEngine.fold` returns
/// the rows to write, and the store writes them inside the append's transaction — SQLite a
/// statement per row, PostgreSQL a statement per table (`ReadModelPort`).
public struct ProjectionBatch: Sendable {
    /// One projection's share: the events past its checkpoint, and the entities they change.
    public struct Part: Sendable {
        public let table: String
        let events: [LoggedEvent]
        /// Keys of the rows to read (each once, in first-touched order).
        public let keys: [String]
    }

    /// In `ProjectionEngine.tables` order.
    public let parts: [Part]
    /// The last event's position: every projection's checkpoint after the batch.
    public let position: Int64

    /// The rows to read before folding, by table (tables with none are left out).
    public var reads: [(table: String, keys: [String])] {
        parts.filter { !$0.keys.isEmpty }.map { ($0.table, $0.keys) }
    }
}

/// What a batch changes in the projection tables.
public struct ProjectionChanges: Sendable {
    /// One table's writes.
    public struct Table: Sendable {
        public let name: String
        /// `key`, `body`, then the projection's own columns: the order of each row's values.
        public let columns: [String]
        /// Rows to insert, or to replace the row with the same key.
        public var rows: [[SQLValue]] = []
        /// Keys whose rows are removed.
        public var removed: [String] = []
        /// The anomaly subjects (`<table>:<key>`) of the written or removed rows that were stored
        /// before: their stored anomalies are deleted, then `anomalies` inserted. A new row has
        /// none to delete — anomalies are only ever written with their row and deleted with it —
        /// and most rows a command or a charger's message writes are new.
        public var subjects: [String] = []
        /// The anomalies of the written rows.
        public var anomalies: [Anomaly] = []

        public var isEmpty: Bool { rows.isEmpty && removed.isEmpty }

        /// The table's changes as the store runs them: old anomalies out, removed rows out, rows
        /// in, anomalies in (none for a table the batch left alone).
        var writes: [ReadModelWrite] {
            guard !isEmpty else { return [] }
            return [
                .delete(table: "anomalies", column: "subject", values: subjects),
                .delete(table: name, column: "key", values: removed),
                .upsert(table: name, columns: columns, rows: rows),
                .insertNew(table: "anomalies", columns: Anomaly.columns, rows: anomalies.map(\.values)),
            ]
        }
    }

    public let tables: [Table]
    /// Every projection's checkpoint after the batch.
    public let position: Int64
}

extension ProjectionEngine {
    /// Decodes `events` (an event the catalogue cannot read throws its `CatalogueError`) and
    /// names the rows each projection past `checkpoints[name]` needs.
    public func batch(_ events: [RecordedEvent], checkpoints: [String: Int64]) throws -> ProjectionBatch {
        try batch(decoded: events.map { try decode($0) }, checkpoints: checkpoints)
    }

    /// `batch` of events already decoded (as a store that checked them before appending has them).
    public func batch(decoded: [LoggedEvent], checkpoints: [String: Int64]) -> ProjectionBatch {
        let parts = Self.tables.map { table in
            // Positions rise: when the first event is past the checkpoint, all are, and the part
            // shares the batch's array (the live path's case: a copy per read model per request).
            let checkpoint = checkpoints[table.name, default: 0]
            let events = (decoded.first?.position ?? 0) > checkpoint ? decoded : decoded.filter { $0.position > checkpoint }
            return ProjectionBatch.Part(table: table.name, events: events, keys: table.keys(in: events))
        }
        return ProjectionBatch(parts: parts, position: decoded.last?.position ?? 0)
    }

    /// Folds the batch into the stored bodies (`stored[table][key]`, as `batch.reads` named
    /// them; a key without a row is a new entity) and returns the rows that changed.
    public func fold(_ batch: ProjectionBatch, stored: [String: [String: String]]) throws -> ProjectionChanges {
        let tables = try zip(Self.tables, batch.parts).map { table, part in
            try table.fold(part.events, keys: part.keys, stored: stored[part.table] ?? [:])
        }
        return ProjectionChanges(tables: tables, position: batch.position)
    }
}
