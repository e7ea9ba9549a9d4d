import Ledger

/// A ledger that keeps the read models in its append transactions, on SQLite or PostgreSQL:
/// what the server, every `ledger` command and the tests work with, whichever the store.
public protocol ProjectionStore: VerifiableEventStore {
    /// Runs `body` on one consistent snapshot of the projection tables (and the log).
    func withProjectionSnapshot<T: Sendable>(_ body: @escaping @Sendable (any ProjectionReading) throws -> T) async throws -> T
    /// The rows of `table` found only in the live tables or only in `scratch` (a rebuild), at
    /// most `limit` a side. The default compares them in memory; SQLite attaches the scratch file.
    func differences(in table: String, from scratch: Database, limit: Int) async throws -> [ReplayCheck.Difference]
}

extension ProjectionStore {
    /// Every projection row: see `ProjectionDump`.
    public func projectionDump() async throws -> JSONValue {
        try await withProjectionSnapshot { reader in try ProjectionDump.json(reader) }
    }

    public func differences(in table: String, from scratch: Database, limit: Int) async throws -> [ReplayCheck.Difference] {
        let live = Set(try await projectionRows("SELECT * FROM \(table)"))
        let replayed = Set(try scratch.rows("SELECT * FROM \(table)"))
        return ReplayCheck.differences(table, side: "only in live tables", live.subtracting(replayed), limit: limit)
            + ReplayCheck.differences(table, side: "only in replay", replayed.subtracting(live), limit: limit)
    }
}

extension SQLiteEventStore: ProjectionStore {
    public func withProjectionSnapshot<T: Sendable>(_ body: @escaping @Sendable (any ProjectionReading) throws -> T) async throws -> T {
        try await withReadDatabase { try body($0) }
    }

    /// With the live file attached to the scratch database, SQLite's EXCEPT compares the tables
    /// without loading either into memory.
    public func differences(in table: String, from scratch: Database, limit: Int) async throws -> [ReplayCheck.Difference] {
        try scratch.execute("ATTACH DATABASE ? AS live", [.text(path)])
        defer { try? scratch.execute("DETACH DATABASE live") }
        var differences: [ReplayCheck.Difference] = []
        for (side, left, right) in [("only in live tables", "live", "main"), ("only in replay", "main", "live")] {
            let rows = try scratch.rows("SELECT * FROM \(left).\(table) EXCEPT SELECT * FROM \(right).\(table) ORDER BY 1 LIMIT ?",
                                        [.integer(Int64(limit))])
            differences += rows.map { ReplayCheck.Difference(table: table, side: side, row: $0) }
        }
        return differences
    }
}
