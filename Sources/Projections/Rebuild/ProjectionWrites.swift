import Ledger

/// What a rebuild writes into its scratch SQLite database (the live tables are written by the store: `ReadModelPort`).
extension Database {
    func insert(_ anomaly: Anomaly) throws {
        try execute(Self.insertNewSQL("anomalies", Anomaly.columns), anomaly.values)
    }
}

extension Anomaly {
    /// The `anomalies` table's columns, in the order of `values`.
    public static let columns = ["subject", "kind", "detail", "authorization_id", "position"]

    public var values: [SQLValue] {
        [.text(subject), .text(kind.rawValue), .text(detail), authorizationId.map(SQLValue.text) ?? .null, position.map(SQLValue.integer) ?? .null]
    }
}
