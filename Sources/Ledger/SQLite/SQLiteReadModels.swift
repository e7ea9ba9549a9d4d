/// The read models kept on SQLite, in the append transaction that caused them: `ReadModelPort`'s
/// batch, run a statement per row (a local file charges for rows, not round trips; see
/// `PostgresReadModels` for the other dialect).
///
/// The writer calls `apply` inside every append transaction, after the events are inserted: the
/// rows and checkpoints commit with the events or not at all, and if `apply` throws the request is
/// refused and nothing of it is written.
struct SQLiteReadModels: Sendable {
    let port: any ReadModelPort

    func apply(_ events: [RecordedEvent], in database: Database) throws {
        var checkpoints: [String: Int64]?
        try apply(events, payloads: [], in: database, checkpoints: &checkpoints)
        if let checkpoints { try record(checkpoints, in: database) }
    }

    /// The same, for one of the requests of a group commit, with its events' `payloads` (see
    /// `ReadModelPort.admit`): `checkpoints` are read from the database by the transaction's first
    /// request (`nil`), carried from request to request, and written once, by `record`, before the
    /// `COMMIT`. Read and written per request, the
    /// checkpoints of twelve read models were a tenth of the writer's Swift time in a boot storm
    /// (a query, and an update of twelve rows, for each of thousands of one-event requests).
    /// Unchanged when `apply` throws: the request's savepoint is rolled back, its events and rows
    /// with it.
    func apply(
        _ events: [RecordedEvent],
        payloads: [(any Sendable)?],
        in database: Database,
        checkpoints: inout [String: Int64]?
    ) throws {
        guard !events.isEmpty else { return }
        let before = try checkpoints ?? self.checkpoints(in: database)
        let plan = port.plan([try port.admit(events, payloads: payloads)], checkpoints: before)
        var stored: [String: [String: String]] = [:]
        for (table, keys) in plan.reads { stored[table] = try bodies(table, keys, in: database) }
        for write in try port.fold(plan, stored: stored) { try run(write, in: database) }
        checkpoints = before.mapValues { max($0, plan.position) }
    }

    /// Writes where the read models stand after a transaction's requests (`apply`).
    func record(_ checkpoints: [String: Int64], in database: Database) throws {
        guard let position = checkpoints.values.max() else { return }
        try database.execute("UPDATE \(port.checkpointTable) SET position = ?1 WHERE position < ?1", [.integer(position)])
    }

    /// The last position the read models reflect; the store catches up from here when it opens.
    func checkpoint(in database: Database) throws -> Int64 {
        try database.rows("SELECT min(position) FROM \(port.checkpointTable)").first?.first?.integer ?? 0
    }

    private func checkpoints(in database: Database) throws -> [String: Int64] {
        var checkpoints: [String: Int64] = [:]
        for row in try database.rows("SELECT name, position FROM \(port.checkpointTable)") {
            if let name = row[0].text, let position = row[1].integer { checkpoints[name] = position }
        }
        return checkpoints
    }

    /// The stored bodies of `keys` in `table`, by key (a key without a row is left out).
    private func bodies(_ table: String, _ keys: [String], in database: Database) throws -> [String: String] {
        var bodies: [String: String] = [:]
        // In slices, well under SQLite's bound on parameters per statement.
        for start in stride(from: 0, to: keys.count, by: 512) {
            let list = Database.inList(keys[start..<min(keys.count, start + 512)].map(SQLValue.text))
            for row in try database.rows("SELECT key, body FROM \(table) WHERE key IN \(list.placeholders)", list.arguments) {
                if let key = row[0].text, let body = row[1].text { bodies[key] = body }
            }
        }
        return bodies
    }

    private func run(_ write: ReadModelWrite, in database: Database) throws {
        switch write {
        case let .delete(table, column, values):
            for value in values { try database.execute("DELETE FROM \(table) WHERE \(column) = ?", [.text(value)]) }
        case let .upsert(table, columns, rows):
            guard !rows.isEmpty else { return }
            let sql = Database.replaceSQL(table, columns)
            for row in rows { try database.execute(sql, row) }
        case let .insertNew(table, columns, rows):
            guard !rows.isEmpty else { return }
            let sql = Database.insertNewSQL(table, columns)
            for row in rows { try database.execute(sql, row) }
        }
    }
}
