/// Reads of a store's tables inside one consistent snapshot, in SQL both stores speak (`?`
/// placeholders, no SQLite-only functions): how the read models' queries, the audit and the
/// dumps read, whichever the store. Synchronous, as the read code is: a SQLite `Database` on its
/// reader queue, or PostgreSQL statements — in a transaction when there are several — waited on
/// from a thread of its own.
public protocol ProjectionReading {
    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]]
    /// The rows one at a time, for reads that may be long (the outbox's lane heads in an outage):
    /// SQLite steps its statement; the default reads them all first.
    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: ([SQLValue]) throws -> Void) throws
}

extension Database: ProjectionReading {}

extension ProjectionReading {
    public func rows(_ sql: String) throws -> [[SQLValue]] { try rows(sql, []) }

    public func forEachRow(_ sql: String, _ arguments: [SQLValue], _ body: ([SQLValue]) throws -> Void) throws {
        for row in try rows(sql, arguments) { try body(row) }
    }
}

/// A ledger whose read models (kept by a `ReadModelPort` in its append transactions) can be read
/// in one snapshot, on SQLite or PostgreSQL: what the server, every `ledger` command and the tests
/// work with, whichever the store.
public protocol ProjectionStore: VerifiableEventStore {
    /// Runs `body` on one consistent snapshot of the store's tables (read models and log).
    func withProjectionSnapshot<T: Sendable>(_ body: @escaping @Sendable (any ProjectionReading) throws -> T) async throws -> T
    /// The rows of `table` found only in the live tables or only in `scratch` (a rebuild), at
    /// most `limit` a side. The default compares them in memory; SQLite attaches the scratch file.
    func differences(in table: String, from scratch: Database, limit: Int) async throws -> [TableDifference]
}

/// A row that one of two copies of a table has and the other has not (`ledger replay`).
public struct TableDifference: Sendable, CustomStringConvertible {
    public static let onlyLive = "only in live tables"
    public static let onlyReplayed = "only in replay"

    public let table: String
    /// `only in live tables` or `only in replay`.
    public let side: String
    public let row: String
    public var description: String { "\(table): \(side): \(row)" }

    public init(table: String, side: String, row: [SQLValue]) {
        self.table = table
        self.side = side
        self.row = row.map(\.description).joined(separator: " | ")
    }

    /// At most `limit` of `rows`, in the order of their first column.
    static func list(_ table: String, side: String, _ rows: Set<[SQLValue]>, limit: Int) -> [TableDifference] {
        rows.sorted { $0.first?.description ?? "" < $1.first?.description ?? "" }.prefix(limit)
            .map { TableDifference(table: table, side: side, row: $0) }
    }
}

extension ProjectionStore {
    /// The rows of a query, in a snapshot of its own.
    public func projectionRows(_ sql: String, _ arguments: [SQLValue] = []) async throws -> [[SQLValue]] {
        try await withProjectionSnapshot { try $0.rows(sql, arguments) }
    }

    public func differences(in table: String, from scratch: Database, limit: Int) async throws -> [TableDifference] {
        let live = Set(try await projectionRows("SELECT * FROM \(table)"))
        let replayed = Set(try scratch.rows("SELECT * FROM \(table)"))
        return TableDifference.list(table, side: TableDifference.onlyLive, live.subtracting(replayed), limit: limit)
            + TableDifference.list(table, side: TableDifference.onlyReplayed, replayed.subtracting(live), limit: limit)
    }
}

extension SQLiteEventStore: ProjectionStore {
    public func withProjectionSnapshot<T: Sendable>(_ body: @escaping @Sendable (any ProjectionReading) throws -> T) async throws -> T {
        try await withReadDatabase { try body($0) }
    }

    /// With the live file attached to the scratch database, SQLite's EXCEPT compares the tables
    /// without loading either into memory.
    public func differences(in table: String, from scratch: Database, limit: Int) async throws -> [TableDifference] {
        try scratch.execute("ATTACH DATABASE ? AS live", [.text(path)])
        defer { try? scratch.execute("DETACH DATABASE live") }
        var differences: [TableDifference] = []
        for (side, left, right) in [(TableDifference.onlyLive, "live", "main"), (TableDifference.onlyReplayed, "main", "live")] {
            let rows = try scratch.rows(
                "SELECT * FROM \(left).\(table) EXCEPT SELECT * FROM \(right).\(table) ORDER BY 1 LIMIT ?",
                [.integer(Int64(limit))]
            )
            differences += rows.map { TableDifference(table: table, side: side, row: $0) }
        }
        return differences
    }
}
