import Ledger
import Logging
import PostgresNIO

/// The read models kept on PostgreSQL, in the append transaction that caused them — as
/// `SQLiteReadModels` keeps them on SQLite, through the same port (`ReadModelPort`).
///
/// A batch costs a few statements per read model it touches, however many events it holds: one
/// read of the touched rows, one statement per write the fold asks for, then the checkpoints —
/// round trips, not rows, are what a remote database charges for.
struct PostgresReadModels: Sendable {
    let port: any ReadModelPort

    /// Decodes events before they are appended, refusing those the read models cannot take: the
    /// log never holds what its read models could not take, and the rest of the batch goes on
    /// without them. What they decode to is what `apply` folds once they are inserted.
    /// `payloads` as `ReadModelPort.admit` takes them.
    func admit(_ events: [RecordedEvent], payloads: [(any Sendable)?]) throws(EventStoreError) -> AdmittedEvents {
        do { return try port.admit(events, payloads: payloads) } catch { throw .projectionFailed(position: error.position, reason: error.reason) }
    }

    /// Folds `events`, just inserted on `connection` inside the append transaction.
    func apply(_ events: [AdmittedEvents], on connection: PostgresConnection, logger: Logger) async throws {
        guard !events.isEmpty else { return }
        var checkpoints: [String: Int64] = [:]
        for try await (name, position) in try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT name, position FROM \(port.checkpointTable)"),
            logger: logger
        ).decode((String, Int64).self) {
            checkpoints[name] = position
        }
        let plan = port.plan(events, checkpoints: checkpoints)
        var stored: [String: [String: String]] = [:]
        for (table, keys) in plan.reads {
            var bodies: [String: String] = [:]
            for try await (key, body) in try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT key, body FROM \(table) WHERE key = ANY($1)", binds: Self.binds([keys])),
                logger: logger
            ).decode((String, String).self) {
                bodies[key] = body
            }
            stored[table] = bodies
        }
        for write in try port.fold(plan, stored: stored) { try await run(write, on: connection, logger: logger) }
        try await connection.query(
            PostgresQuery(unsafeSQL: "UPDATE \(port.checkpointTable) SET position = $1 WHERE position < $1", binds: Self.binds([plan.position])),
            logger: logger
        )
    }

    private func run(_ write: ReadModelWrite, on connection: PostgresConnection, logger: Logger) async throws {
        switch write {
        case let .delete(table, column, values):
            guard !values.isEmpty else { return }
            try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE \(column) = ANY($1)", binds: Self.binds([values])),
                logger: logger
            )
        case let .upsert(table, columns, rows):
            let replace = columns.dropFirst().map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
            try await insert(rows, into: table, columns: columns, onConflict: "(key) DO UPDATE SET \(replace)", on: connection, logger: logger)
        case let .insertNew(table, columns, rows):
            try await insert(rows, into: table, columns: columns, onConflict: "DO NOTHING", on: connection, logger: logger)
        }
    }

    /// Multi-row INSERTs, as many rows per statement as PostgreSQL's 65,535 parameters allow.
    private func insert(
        _ rows: [[SQLValue]],
        into table: String,
        columns: [String],
        onConflict: String,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let perStatement = 65_535 / columns.count
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            let slice = rows[start..<min(rows.count, start + perStatement)]
            var bindings = PostgresBindings(capacity: slice.count * columns.count)
            var tuples: [String] = []
            for row in slice {
                let first = bindings.count
                for value in row { bindings.append(value) }
                tuples.append("(" + (first + 1...first + row.count).map { "$\($0)" }.joined(separator: ", ") + ")")
            }
            let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", ")) ON CONFLICT \(onConflict)"
            try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        }
    }

    private static func binds(_ values: [any PostgresDynamicTypeEncodable]) -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values { bindings.append(value) }
        return bindings
    }
}

extension PostgresBindings {
    mutating func append(_ value: SQLValue) {
        switch value {
        case .null: appendNull()
        case .integer(let integer): append(integer)
        case .real(let real): append(real)
        case .text(let text): append(text)
        }
    }
}

extension PostgresRow {
    /// The row as `SQLValue`s, whatever its columns: text, integers and reals as SQLite holds them.
    func sqlValues() throws -> [SQLValue] {
        try map { cell in
            guard cell.bytes != nil else { return .null }
            switch cell.dataType {
            case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
            case .float4, .float8, .numeric: return .real(try cell.decode(Double.self))
            default: return .text(try cell.decode(String.self))
            }
        }
    }
}
