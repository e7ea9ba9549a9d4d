import Ledger

/// One projection, whatever its state type: its table's name, the live fold (read, fold and
/// write the rows an event touches) and the rebuild fold (`SpillingFold`).
protocol LiveProjection: Sendable {
    var name: String { get }
    func apply(_ event: LoggedEvent, in database: Database) throws
    func rebuildFold(into writer: RebuildWriter, capacity: Int) -> RebuildFold
}

/// A projection's fold during a rebuild, as closures: see `ProjectionTable.makeRebuildFold`.
struct RebuildFold {
    let apply: (LoggedEvent) throws -> Void
    let flush: () throws -> Void
}

/// Stores one projection's states as rows `(key, body, columns…)` and its anomalies.
struct ProjectionTable<P: Projection>: LiveProjection {
    var name: String { P.name }
    let projection: P
    private let upsertSQL: String
    private let deleteSQL = "DELETE FROM \(P.name) WHERE key = ?"
    /// The folds, made here where `P` is concrete (`ProjectionEngine.tables` names each projection
    /// by type) so that they run as code specialized for `P`. Called through the `LiveProjection`
    /// existential instead, they ran as generic code that looked up type metadata on every
    /// dictionary access and copy: half of a replay's fold time.
    private let makeRebuildFold: @Sendable (RebuildWriter, Int) -> RebuildFold
    private let liveFold: @Sendable (ProjectionTable<P>, LoggedEvent, Database) throws -> Void

    init(_ projection: P) {
        self.projection = projection
        let columns = ["key", "body"] + P.columnNames
        upsertSQL = "INSERT OR REPLACE INTO \(P.name) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
        makeRebuildFold = { writer, capacity in
            let fold = SpillingFold(projection, writer, capacity)
            return RebuildFold(apply: fold.apply, flush: fold.flush)
        }
        liveFold = { table, event, database in try table.foldLive(event, in: database) }
    }

    func load(_ key: String, from database: Database) throws -> P.State? {
        try database.state(P.self, key)
    }

    /// A state as the values of its row, and its anomalies: the expensive part of a write.
    struct Row: Sendable {
        let values: [SQLValue]
        let anomalies: [Anomaly]
    }

    func row(_ state: P.State, key: String) throws -> Row {
        let position = projection.lastPosition(state)
        return Row(values: [.text(key), .text(try EventCoding.rowText(state))] + projection.columns(state),
                   anomalies: projection.anomalies(state, key: key).map { var anomaly = $0; anomaly.position = position; return anomaly })
    }

    /// Writes a row and its anomalies (`fresh`: the tables were empty, as in a rebuild, so there
    /// are no old anomalies to remove).
    func insert(_ row: Row, key: String, in database: Database, fresh: Bool) throws {
        if !fresh { try database.execute("DELETE FROM anomalies WHERE subject = ?", [.text("\(P.name):\(key)")]) }
        try database.execute(upsertSQL, row.values)
        for anomaly in row.anomalies {
            try database.execute(
                "INSERT OR IGNORE INTO anomalies (subject, kind, detail, authorization_id, position) VALUES (?, ?, ?, ?, ?)",
                [.text(anomaly.subject), .text(anomaly.kind.rawValue), .text(anomaly.detail),
                 anomaly.authorizationId.map(SQLValue.text) ?? .null, anomaly.position.map(SQLValue.integer) ?? .null])
        }
    }

    /// Writes the state (or removes the row) and replaces the entity's anomalies.
    func store(_ state: P.State?, key: String, in database: Database) throws {
        guard let state else {
            try database.execute("DELETE FROM anomalies WHERE subject = ?", [.text("\(P.name):\(key)")])
            try database.execute(deleteSQL, [.text(key)])
            return
        }
        try insert(try row(state, key: key), key: key, in: database, fresh: false)
    }

    func rebuildFold(into writer: RebuildWriter, capacity: Int) -> RebuildFold {
        makeRebuildFold(writer, capacity)
    }

    func apply(_ event: LoggedEvent, in database: Database) throws {
        try liveFold(self, event, database)
    }

    /// The live path: load each touched entity, fold, store.
    private func foldLive(_ event: LoggedEvent, in database: Database) throws {
        for key in projection.keys(for: event.event) {
            let before = try load(key, from: database)
            let after = projection.apply(before, event)
            if after != before { try store(after, key: key, in: database) }
        }
    }
}
