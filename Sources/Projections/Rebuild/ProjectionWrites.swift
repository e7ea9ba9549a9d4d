import Ledger

/// What a rebuild writes into its scratch SQLite database (the live tables are written by the store: `ReadModelPort`).
extension Database {
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
