import Ledger

/// One projection, whatever its state type: its table's name, the live fold (read, fold and
/// write the rows an event touches) and the rebuild fold (`SpillingFold`).
protocol LiveProjection: Sendable {
    var name: String { get }
    func apply(_ event: LoggedEvent, in database: Database) throws
    func rebuildFold(into database: Database, capacity: Int) -> any RebuildFold
}

/// A projection's fold during a rebuild.
protocol RebuildFold {
    func apply(_ event: LoggedEvent) throws
    func flush() throws
}

/// Stores one projection's states as rows `(key, body, columns…)` and its anomalies.
struct ProjectionTable<P: Projection>: LiveProjection {
    var name: String { P.name }
    let projection: P
    private let upsertSQL: String
    private let deleteSQL = "DELETE FROM \(P.name) WHERE key = ?"

    init(_ projection: P) {
        self.projection = projection
        let columns = ["key", "body"] + P.columnNames
        upsertSQL = "INSERT OR REPLACE INTO \(P.name) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
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
        Row(values: [.text(key), .text(try EventCoding.rowText(state))] + projection.columns(state),
            anomalies: projection.anomalies(state, key: key))
    }

    /// Writes a row and its anomalies (`fresh`: the tables were empty, as in a rebuild, so there
    /// are no old anomalies to remove).
    func insert(_ row: Row, key: String, in database: Database, fresh: Bool) throws {
        if !fresh { try database.execute("DELETE FROM anomalies WHERE subject = ?", [.text("\(P.name):\(key)")]) }
        try database.execute(upsertSQL, row.values)
        for anomaly in row.anomalies {
            try database.execute(
                "INSERT OR IGNORE INTO anomalies (subject, kind, detail, authorization_id) VALUES (?, ?, ?, ?)",
                [.text(anomaly.subject), .text(anomaly.kind.rawValue), .text(anomaly.detail),
                 anomaly.authorizationId.map(SQLValue.text) ?? .null])
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

    func rebuildFold(into database: Database, capacity: Int) -> any RebuildFold {
        SpillingFold(projection, database, capacity)
    }

    /// The live path: load each touched entity, fold, store.
    func apply(_ event: LoggedEvent, in database: Database) throws {
        for key in projection.keys(for: event.event) {
            let before = try load(key, from: database)
            let after = projection.apply(before, event)
            if after != before { try store(after, key: key, in: database) }
        }
    }
}
