import Ledger

/// Every projection row as one JSON document: `{table: {key: {"body": state, column: value…}}}`.
///
/// What golden tests compare with their expected output, and what "replay twice gives identical
/// bytes" is measured on.
public enum ProjectionDump {
    public static func json(_ database: Database) throws -> JSONValue {
        var tables: [String: JSONValue] = [:]
        for table in ProjectionEngine.tableNames {
            var rows: [String: JSONValue] = [:]
            try database.forEachRow("SELECT * FROM \(table) ORDER BY key") { row in
                guard let key = row.first?.text, let body = row[1].text else { return }
                var entry: [String: JSONValue] = ["body": try JSONValue(parsing: body)]
                for (name, value) in zip(columnNames(table), row.dropFirst(2)) { entry[name] = jsonValue(value) }
                rows[key] = .object(entry)
            }
            tables[table] = .object(rows)
        }
        var anomalies: [JSONValue] = []
        try database.forEachRow("SELECT subject, kind, detail, authorization_id, position FROM anomalies ORDER BY subject, kind, detail") { row in
            anomalies.append(.object(["subject": jsonValue(row[0]), "kind": jsonValue(row[1]), "detail": jsonValue(row[2]),
                                      "authorization_id": jsonValue(row[3]), "position": jsonValue(row[4])]))
        }
        tables["anomalies"] = .array(anomalies)
        var checkpoints: [String: JSONValue] = [:]
        try database.forEachRow("SELECT name, position FROM projection_checkpoints ORDER BY name") { row in
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
