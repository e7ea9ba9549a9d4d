import Ledger

/// The live fold's reads and writes on SQLite (PostgreSQL's are in `PostgresReadModels`).
extension Database {
    /// The stored bodies of `keys` in `table`, by key (a key without a row is left out).
    func bodies(_ table: String, _ keys: [String]) throws -> [String: String] {
        var bodies: [String: String] = [:]
        // In slices, well under SQLite's bound on parameters per statement.
        for start in stride(from: 0, to: keys.count, by: 500) {
            let slice = keys[start..<min(keys.count, start + 500)]
            let sql = "SELECT key, body FROM \(table) WHERE key IN (\(slice.map { _ in "?" }.joined(separator: ", ")))"
            for row in try rows(sql, slice.map(SQLValue.text)) {
                if let key = row[0].text, let body = row[1].text { bodies[key] = body }
            }
        }
        return bodies
    }

    /// Writes one table's changes: old anomalies out, removed rows out, rows in, anomalies in.
    func write(_ changes: ProjectionChanges.Table) throws {
        for subject in changes.subjects { try execute("DELETE FROM anomalies WHERE subject = ?", [.text(subject)]) }
        for key in changes.removed { try execute("DELETE FROM \(changes.name) WHERE key = ?", [.text(key)]) }
        if !changes.rows.isEmpty {
            let sql = Self.replaceSQL(changes.name, changes.columns)
            for row in changes.rows { try execute(sql, row) }
        }
        for anomaly in changes.anomalies { try insert(anomaly) }
    }

    /// Inserts a row, or replaces the one with its key.
    static func replaceSQL(_ table: String, _ columns: [String]) -> String {
        "INSERT OR REPLACE INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
    }

    func insert(_ anomaly: Anomaly) throws {
        try execute("INSERT OR IGNORE INTO anomalies (\(Anomaly.columns.joined(separator: ", "))) VALUES (?, ?, ?, ?, ?)", anomaly.values)
    }
}

extension Anomaly {
    /// The `anomalies` table's columns, in the order of `values`.
    public static let columns = ["subject", "kind", "detail", "authorization_id", "position"]

    public var values: [SQLValue] {
        [.text(subject), .text(kind.rawValue), .text(detail), authorizationId.map(SQLValue.text) ?? .null, position.map(SQLValue.integer) ?? .null]
    }
}
