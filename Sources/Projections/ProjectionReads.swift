import Domain
import Ledger

/// Reads of the projection tables inside one consistent snapshot, in SQL both stores speak
/// (`?` placeholders, no SQLite-only functions): how the audit, billing export and dumps read,
/// whichever the store. Synchronous, as the read code is: a SQLite `Database` on its reader
/// queue, or a PostgreSQL transaction waited on from a thread of its own.
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

    /// One entity's state from a projection's table, or `nil` when it has none.
    public func state<P: Projection>(_ projection: P.Type, _ key: String) throws -> P.State? {
        guard let body = try rows("SELECT body FROM \(P.name) WHERE key = ?", [.text(key)]).first?.first?.text else { return nil }
        return try EventCoding.decode(P.State.self, from: body)
    }
}

extension ProjectionStore {
    /// One entity's state, read in a snapshot of its own.
    public func state<P: Projection>(_ projection: P.Type, _ key: String) async throws -> P.State? {
        try await withProjectionSnapshot { try $0.state(projection, key) }
    }

    /// The rows of a query on the projection tables.
    public func projectionRows(_ sql: String, _ arguments: [SQLValue] = []) async throws -> [[SQLValue]] {
        try await withProjectionSnapshot { try $0.rows(sql, arguments) }
    }
}
