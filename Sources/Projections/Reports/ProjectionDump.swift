import Ledger

/// Every projection row as one JSON document: `{table: {key: {"body": state, column: value…}}}`.
///
/// What golden tests compare with their expected output, and what "replay twice gives identical
/// bytes" is measured on.
public enum ProjectionDump {
    static let anomaliesSQL = "SELECT \(Anomaly.columns.joined(separator: ", ")) FROM anomalies"

    /// The dump, read with portable SQL. Nothing depends on the order rows come in
    /// (anomalies are sorted here, by their bytes as SQLite's BINARY collation sorts): stores
    /// that collate text differently give the same document.
    public static func json(_ database: any ProjectionReading) throws -> JSONValue {
        func rows(_ sql: String) throws -> [[SQLValue]] { try database.rows(sql, []) }
        var tables: [String: JSONValue] = [:]
        for table in ProjectionEngine.tableNames {
            var entries: [String: JSONValue] = [:]
            for row in try rows("SELECT * FROM \(table)") {
                guard let key = row.first?.text, let body = row[1].text else { continue }
                var entry: [String: JSONValue] = ["body": try JSONValue(parsing: body)]
                for (name, value) in zip(columnNames(table), row.dropFirst(2)) { entry[name] = jsonValue(value) }
                entries[key] = .object(entry)
            }
            tables[table] = .object(entries)
        }
        let anomalies = try rows(anomaliesSQL).sorted { left, right in
            left.prefix(3).map { Array(($0.text ?? "").utf8) }.lexicographicallyPrecedes(right.prefix(3).map { Array(($0.text ?? "").utf8) }) {
                $0.lexicographicallyPrecedes($1)
            }
        }
        tables["anomalies"] = .array(
            anomalies.map { row in
                .object(Dictionary(uniqueKeysWithValues: zip(Anomaly.columns, row.map(jsonValue))))
            }
        )
        var checkpoints: [String: JSONValue] = [:]
        for row in try rows("SELECT name, position FROM projection_checkpoints") {
            if let name = row[0].text { checkpoints[name] = jsonValue(row[1]) }
        }
        tables["projection_checkpoints"] = .object(checkpoints)
        return .object(tables)
    }

    private static func columnNames(_ table: String) -> [String] {
        switch table {
        case CommandsProjection.name: CommandsProjection.columnNames
        case SessionsProjection.name: SessionsProjection.columnNames
        case CdrsProjection.name: CdrsProjection.columnNames
        case TimersProjection.name: TimersProjection.columnNames
        case DeliveriesProjection.name: DeliveriesProjection.columnNames
        case ChargePointsProjection.name: ChargePointsProjection.columnNames
        default: []
        }
    }

    private static func jsonValue(_ value: SQLValue) -> JSONValue {
        switch value {
        case .null: .null
        case .integer(let integer): .number(String(integer))
        case .real(let real): .number(String(real))
        case .text(let text): .string(text)
        }
    }
}
