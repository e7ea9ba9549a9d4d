import CSQLite
import Foundation

/// One SQLite connection and its cache of prepared statements.
///
/// Not thread-safe by design: each connection is confined to one serial queue (see
/// `SerializedConnection`), which is how SQLite is used safely with `SQLITE_OPEN_NOMUTEX`.
final class Connection {
    let handle: OpaquePointer
    private var statements: [String: Statement] = [:]

    /// SQLite 3.35 brought `RETURNING` and the generated-column fixes the schema relies on.
    static let minimumLibraryVersion: Int32 = 3_035_000

    /// Process-wide settings, applied once before the first connection opens.
    private static let configured: Void = { _ = csqlite_disable_memory_statistics() }()

    init(path: String, readOnly: Bool = false) throws(SQLiteError) {
        Self.configured
        guard sqlite3_libversion_number() >= Self.minimumLibraryVersion else {
            throw SQLiteError(
                extendedCode: SQLITE_MISUSE,
                message: "SQLite \(String(cString: sqlite3_libversion())) is too old; chargeledger needs 3.35 or later",
                sql: nil
            )
        }
        var handle: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(handle)
            throw SQLiteError(extendedCode: status, message: message, sql: nil)
        }
        self.handle = handle
        sqlite3_extended_result_codes(handle, 1)
        // Another process (the CLI while `serve` runs) may hold the write lock for a moment.
        sqlite3_busy_timeout(handle, 5_000)
    }

    private var isClosed = false

    deinit { close() }

    /// Finalizes the statements and closes the handle, so another process can take the file
    /// exclusively. The connection must not be used afterwards.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        if status != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(extendedCode: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// A prepared statement, reset and cached by its SQL text.
    func cached(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = statements[sql] {
            statement.reset()
            return statement
        }
        let statement = try Statement(connection: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    var lastError: SQLiteError {
        SQLiteError(
            extendedCode: sqlite3_extended_errcode(handle),
            message: String(cString: sqlite3_errmsg(handle)),
            sql: nil
        )
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back on any error.
    ///
    /// IMMEDIATE takes the write lock up front, so insert order equals commit order and a reader
    /// never sees position N+1 before N.
    func immediateTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}
