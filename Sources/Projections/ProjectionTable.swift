import Ledger

/// Stores one projection's states as rows `(key, body, columns…)` and its anomalies.
struct ProjectionTable<P: Projection> {
    let projection: P
    private let selectSQL = "SELECT body FROM \(P.name) WHERE key = ?"
    private let upsertSQL: String
    private let deleteSQL = "DELETE FROM \(P.name) WHERE key = ?"

    init(_ projection: P) {
        self.projection = projection
        let columns = ["key", "body"] + P.columnNames
        upsertSQL = "INSERT OR REPLACE INTO \(P.name) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
    }

    func load(_ key: String, from database: Database) throws -> P.State? {
        guard let body = try database.rows(selectSQL, [.text(key)]).first?.first?.text else { return nil }
        return try EventCoding.decode(P.State.self, from: body)
    }

    /// Writes the state (or removes the row) and replaces the entity's anomalies.
    func store(_ state: P.State?, key: String, in database: Database) throws {
        let subject = "\(P.name):\(key)"
        try database.execute("DELETE FROM anomalies WHERE subject = ?", [.text(subject)])
        guard let state else {
            try database.execute(deleteSQL, [.text(key)])
            return
        }
        try database.execute(upsertSQL, [.text(key), .text(try EventCoding.canonicalText(state))] + projection.columns(state))
        for anomaly in projection.anomalies(state, key: key) {
            try database.execute(
                "INSERT OR IGNORE INTO anomalies (subject, kind, detail, authorization_id) VALUES (?, ?, ?, ?)",
                [.text(anomaly.subject), .text(anomaly.kind.rawValue), .text(anomaly.detail),
                 anomaly.authorizationId.map(SQLValue.text) ?? .null])
        }
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

/// The replay path: the same fold over in-memory states, written once at the end.
final class InMemoryFold<P: Projection> {
    let table: ProjectionTable<P>
    private(set) var states: [String: P.State] = [:]

    init(_ projection: P) { table = ProjectionTable(projection) }

    func apply(_ event: LoggedEvent) {
        for key in table.projection.keys(for: event.event) {
            states[key] = table.projection.apply(states[key], event)
        }
    }

    func write(to database: Database) throws {
        for key in states.keys.sorted() {
            try table.store(states[key], key: key, in: database)
        }
    }
}
