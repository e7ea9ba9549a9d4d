import CSQLite
import Foundation

/// The baseline: the same rows inserted through the plain SQLite C API, with the same schema,
/// pragmas and durability as the ledger, and none of its logic (no version check, no idempotency
/// lookup, no canonicalization, no hashing, no queueing).
struct RawSQLiteBaseline {
    /// A precomputed `events` row.
    struct Row {
        let streamId: String
        let streamVersion: Int64
        let eventId: String
        let type: String
        let data: String
        let metadata: String
        let recordedAt: String
        let hash: [UInt8]
    }

    let path: String
    let synchronous: String

    /// Inserts `rows` in transactions of `batchSize` rows; returns the elapsed seconds.
    func insert(_ rows: [Row], batchSize: Int) throws -> Double {
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK, let db else {
            throw BenchmarkError("cannot open \(path)")
        }
        defer { sqlite3_close_v2(db) }
        try exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = \(synchronous)")
        var statement: OpaquePointer?
        let sql = """
            INSERT INTO events (position, stream_id, stream_version, event_id, type, schema_version,
                                data, metadata, recorded_at, hash) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)
            """
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            throw BenchmarkError(String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(statement) }
        let start = ContinuousClock.now
        var position: Int64 = 0
        for batch in stride(from: 0, to: rows.count, by: batchSize) {
            try exec(db, "BEGIN IMMEDIATE")
            for row in rows[batch..<min(batch + batchSize, rows.count)] {
                position += 1
                sqlite3_bind_int64(statement, 1, position)
                sqlite3_bind_text(statement, 2, row.streamId, -1, csqlite_transient())
                sqlite3_bind_int64(statement, 3, row.streamVersion)
                sqlite3_bind_text(statement, 4, row.eventId, -1, csqlite_transient())
                sqlite3_bind_text(statement, 5, row.type, -1, csqlite_transient())
                sqlite3_bind_text(statement, 6, row.data, -1, csqlite_transient())
                sqlite3_bind_text(statement, 7, row.metadata, -1, csqlite_transient())
                sqlite3_bind_text(statement, 8, row.recordedAt, -1, csqlite_transient())
                _ = row.hash.withUnsafeBytes { sqlite3_bind_blob(statement, 9, $0.baseAddress, 32, csqlite_transient()) }
                guard sqlite3_step(statement) == SQLITE_DONE else { throw BenchmarkError(String(cString: sqlite3_errmsg(db))) }
                sqlite3_reset(statement)
            }
            try exec(db, "COMMIT")
        }
        return (ContinuousClock.now - start).seconds
    }

    private func exec(_ db: OpaquePointer, _ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw BenchmarkError(String(cString: sqlite3_errmsg(db))) }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
