import CSQLite

/// A value bound to or read from SQL.
public enum SQLValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .text(let value): "'\(value)'"
        }
    }

    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}

/// SQL access for read models kept beside the log: the projections' tables.
///
/// Inside an append it is the writer's own connection, in the append's transaction, so a read
/// model and the events it reflects commit together. Not `Sendable`: it lives on one queue.
public final class Database {
    let connection: Connection

    init(connection: Connection) { self.connection = connection }

    /// A database at `path` with the log's migrations and `readModels`' applied, outside any event store.
    ///
    /// `scratch` (the default) turns durability off (no journal, no fsync): that is where
    /// `ledger replay` rebuilds the projections to compare them with the live ones. Never use a
    /// scratch database for a ledger that must survive a crash.
    public static func open(
        path: String,
        scratch: Bool = true,
        readModels: (any ReadModelPort)? = nil,
        clock: any LedgerClock = SystemClock()
    ) throws(EventStoreError) -> Database {
        do {
            let connection = try Connection(path: path)
            // A rebuild writes hundreds of MB of rows: 16 KiB pages (set before the first table),
            // a quarter as many page writes and reads, and its deferred indexes built in about half
            // the time. A 16 MB page cache, not 64: the rows are appended, so a bigger cache only
            // held more dirty pages for the commit to write at the end, on one thread. Figures:
            // docs/performance.md.
            if scratch {
                try connection.execute("PRAGMA page_size = 16384; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -16384")
            }
            try Migrator(sqliteWith: readModels).migrate(connection, now: clock.now())
            return Database(connection: connection)
        } catch {
            throw .wrapping(error)
        }
    }

    /// Runs a statement that returns no rows.
    public func execute(_ sql: String, _ arguments: [SQLValue] = []) throws(EventStoreError) {
        do {
            if arguments.isEmpty, !sql.contains("?") {
                try connection.execute(sql)
                return
            }
            try connection.cached(sql).run(binding: arguments)
        } catch {
            throw .storage(error)
        }
    }

    /// Every row of a query, each as its column values.
    public func rows(_ sql: String, _ arguments: [SQLValue] = []) throws(EventStoreError) -> [[SQLValue]] {
        do {
            let statement = try connection.cached(sql)
            statement.bind(arguments)
            return try statement.rows { $0.values() }
        } catch {
            throw .storage(error)
        }
    }

    /// Calls `body` for each row without collecting them (large scans).
    public func forEachRow(_ sql: String, _ arguments: [SQLValue] = [], _ body: ([SQLValue]) throws -> Void) throws {
        let statement = try connection.cached(sql)
        defer { statement.reset() }
        statement.bind(arguments)
        while try statement.step() { try body(statement.values()) }
    }

    /// Runs `body` in one transaction.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try connection.immediateTransaction(body)
    }
}

extension Database {
    /// One row's INSERT that replaces the row with its key: how read models are upserted, live
    /// (`SQLiteReadModels`) and in a rebuild.
    public static func replaceSQL(_ table: String, _ columns: [String]) -> String {
        insertSQL("INSERT OR REPLACE", table, columns)
    }

    /// One row's INSERT that leaves a row already present alone (anomalies).
    public static func insertNewSQL(_ table: String, _ columns: [String]) -> String {
        insertSQL("INSERT OR IGNORE", table, columns)
    }

    /// `(?, ?, …)` for the values of an `IN` list, padded to the next power of two by repeating
    /// the last value (a repeat changes nothing an `IN` finds). Statements are cached per
    /// connection by their text (`Connection.cached`): with one text per length, a burst of
    /// batches of every size from 1 to 500 kept thousands of prepared statements — hundreds of MB
    /// in a 10,000-charger storm (docs/performance.md, issue 31). Padded, there are ten shapes.
    public static func inList(_ values: [SQLValue]) -> (placeholders: String, arguments: [SQLValue]) {
        guard let last = values.last else { return ("()", []) }
        var size = 1
        while size < values.count { size *= 2 }
        let arguments = values + Array(repeating: last, count: size - values.count)
        return ("(" + Array(repeating: "?", count: size).joined(separator: ", ") + ")", arguments)
    }

    private static func insertSQL(_ verb: String, _ table: String, _ columns: [String]) -> String {
        "\(verb) INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
    }
}

extension Statement {
    func bind(_ arguments: [SQLValue]) {
        for index in arguments.indices {
            bind(arguments[index], at: Int32(index + 1))
        }
    }

    func bind(_ value: SQLValue, at index: Int32) {
        switch value {
        case .null: bindNull(at: index)
        case .integer(let integer): bind(integer, at: index)
        case .real(let real): bind(real, at: index)
        case .text(let text): bind(text, at: index)
        }
    }

    /// Binds `arguments` and runs the statement once, its texts bound where they lie; then
    /// resets it and clears the bindings, so nothing points at them afterwards.
    ///
    /// Why not `bind` then `run`: that binds each text as `SQLITE_TRANSIENT`, which has SQLite
    /// copy it into an allocation of its own first. A rebuild writes every projection row once,
    /// hundreds of megabytes of bodies on a long log, and the copies were all for nothing: the
    /// values outlive the step that reads them.
    func run(binding arguments: [SQLValue]) throws(SQLiteError) {
        defer { reset() }
        try bindInPlace(arguments, from: 0)
    }

    /// Binds `arguments[index...]`, each text inside the scope that lends its bytes, and steps
    /// in the innermost one.
    private func bindInPlace(_ arguments: [SQLValue], from index: Int) throws(SQLiteError) {
        guard index < arguments.count else {
            _ = try step()
            return
        }
        let position = Int32(index + 1)
        guard case .text(let text) = arguments[index],
            let stepped = text.utf8.withContiguousStorageIfAvailable({ bytes in
                bindBorrowed(bytes, at: position)
                return Result { () throws(SQLiteError) in try bindInPlace(arguments, from: index + 1) }
            })
        else {
            // Not text, or a string without contiguous UTF-8 (bridged): bound as a copy.
            bind(arguments[index], at: position)
            return try bindInPlace(arguments, from: index + 1)
        }
        try stepped.get()
    }

    func values() -> [SQLValue] {
        (0..<columnCount).map { value($0) }
    }
}
