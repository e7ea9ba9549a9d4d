import Domain
import Ledger

/// One projection, whatever its state type: its table's name, the live fold (the rows a batch
/// of events changes, see `ProjectionBatch`) and the rebuild fold (`SpillingFold`).
protocol LiveProjection: Sendable {
    var name: String { get }
    /// The entities `events` change, each once, in first-touched order.
    func keys(in events: [LoggedEvent]) -> [String]
    /// Folds `events` into the states stored as `stored` (canonical JSON by key); `keys` are
    /// `keys(in: events)`, worked out when the rows to read were named.
    func fold(_ events: [LoggedEvent], keys: [String], stored: [String: String]) throws -> ProjectionChanges.Table
    func rebuildFold(into writer: RebuildWriter, capacity: Int) -> RebuildFold
}

/// A projection's fold during a rebuild, as closures: see `ProjectionTable.makeRebuildFold`.
struct RebuildFold {
    /// Folds a block of events, in order.
    let apply: (UnsafeBufferPointer<LoggedEvent>) throws -> Void
    let flush: () throws -> Void
}

/// Stores one projection's states as rows `(key, body, columns…)` and its anomalies.
struct ProjectionTable<P: Projection>: LiveProjection {
    var name: String { P.name }
    let projection: P
    /// `key`, `body`, then the projection's own columns.
    private let columns: [String]
    private let upsertSQL: String
    private let deleteSQL = "DELETE FROM \(P.name) WHERE key = ?"
    /// The folds, made here where `P` is concrete (`ProjectionEngine.tables` names each projection
    /// by type) so that they run as code specialized for `P`. Called through the `LiveProjection`
    /// existential instead, they ran as generic code that looked up type metadata on every
    /// dictionary access and copy: half of a replay's fold time.
    private let makeRebuildFold: @Sendable (RebuildWriter, Int) -> RebuildFold
    private let liveFold: @Sendable (ProjectionTable<P>, [LoggedEvent], [String], [String: String]) throws -> ProjectionChanges.Table

    init(_ projection: P) {
        self.projection = projection
        let columns = ["key", "body"] + P.columnNames
        self.columns = columns
        upsertSQL = Database.replaceSQL(P.name, columns)
        makeRebuildFold = { writer, capacity in
            let fold = SpillingFold(projection, writer, capacity)
            return RebuildFold(apply: fold.apply(block:), flush: fold.flush)
        }
        liveFold = { table, events, keys, stored in try table.foldBatch(events, keys: keys, stored: stored) }
    }

    func load(_ key: String, from database: Database) throws -> P.State? {
        try database.state(P.self, key)
    }

    /// A state as the values of its row, and its anomalies: the expensive part of a write.
    struct Row: Sendable {
        let values: [SQLValue]
        let anomalies: [Anomaly]
    }

    /// `state` is borrowed: a rebuild encodes states where they lie in its batch, and a copy of
    /// one was a retain of each of its strings and arrays.
    func row(_ state: borrowing P.State, key: String) throws -> Row {
        var writer = CanonicalWriter.withRoomForARow()
        return try row(state, key: key, using: &writer)
    }

    /// The same, the body written in `writer`'s buffer: a rebuild encodes its rows one after
    /// another with one writer per core.
    func row(_ state: borrowing P.State, key: String, using writer: inout CanonicalWriter) throws -> Row {
        let position = projection.lastPosition(state)
        var values: [SQLValue] = []
        values.reserveCapacity(2 + P.columnNames.count)
        values.append(.text(key))
        values.append(.text(try EventCoding.rowText(state, using: &writer)))
        values.append(contentsOf: projection.columns(state))
        return Row(
            values: values,
            anomalies: projection.anomalies(state, key: key).map {
                var anomaly = $0
                anomaly.position = position
                return anomaly
            }
        )
    }

    /// Writes a row and its anomalies (`fresh`: the tables were empty, as in a rebuild, so there
    /// are no old anomalies to remove).
    func insert(_ row: Row, key: String, in database: Database, fresh: Bool) throws {
        if !fresh { try database.execute("DELETE FROM anomalies WHERE subject = ?", [.text("\(P.name):\(key)")]) }
        try database.execute(upsertSQL, row.values)
        for anomaly in row.anomalies { try database.insert(anomaly) }
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

    func keys(in events: [LoggedEvent]) -> [String] {
        // Most live requests are one event: no set to build.
        if events.count == 1 { return projection.key(for: events[0].event).map { [$0] } ?? [] }
        var seen: Set<String> = []
        var keys: [String] = []
        for event in events {
            if let key = projection.key(for: event.event), seen.insert(key).inserted { keys.append(key) }
        }
        return keys
    }

    func fold(_ events: [LoggedEvent], keys: [String], stored: [String: String]) throws -> ProjectionChanges.Table {
        try liveFold(self, events, keys, stored)
    }

    /// The live path: fold every event into the touched states in memory, then write the states
    /// that ended different from how they were stored.
    private func foldBatch(_ events: [LoggedEvent], keys: [String], stored: [String: String]) throws -> ProjectionChanges.Table {
        let before = try stored.mapValues { try EventCoding.decode(P.State.self, from: $0) }
        var states = before
        for event in events {
            if let key = projection.key(for: event.event) {
                projection.apply(&states[key], event)
            }
        }
        var changes = ProjectionChanges.Table(name: P.name, columns: columns)
        for key in keys where states[key] != before[key] {
            if before[key] != nil { changes.subjects.append("\(P.name):\(key)") }
            guard let state = states[key] else {
                changes.removed.append(key)
                continue
            }
            let row = try row(state, key: key)
            changes.rows.append(row.values)
            changes.anomalies += row.anomalies
        }
        return changes
    }
}
