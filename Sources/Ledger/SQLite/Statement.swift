import CSQLite
import Foundation

/// A prepared statement with typed bind and column accessors (1-based binds, 0-based columns,
/// as in the C API).
final class Statement {
    private let handle: OpaquePointer
    private unowned let connection: Connection
    let sql: String

    init(connection: Connection, sql: String) throws(SQLiteError) {
        var handle: OpaquePointer?
        let status = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard status == SQLITE_OK, let handle else {
            throw SQLiteError(
                extendedCode: sqlite3_extended_errcode(connection.handle),
                message: String(cString: sqlite3_errmsg(connection.handle)),
                sql: sql
            )
        }
        self.handle = handle
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ value: Int64, at index: Int32) {
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ value: Int, at index: Int32) {
        sqlite3_bind_int64(handle, index, Int64(value))
    }

    func bind(_ value: Double, at index: Int32) {
        sqlite3_bind_double(handle, index, value)
    }

    func bindNull(at index: Int32) {
        sqlite3_bind_null(handle, index)
    }

    /// Binds the string's bytes with their length: a NUL inside an id (an `authorization_id` is
    /// the IOP's opaque string) must not cut it short, or two ids would share one row.
    ///
    /// A native string's bytes are read where they lie: `withUTF8` needs a `var`, a copy of the
    /// string (a retain and release per bound value; a replay binds millions).
    func bind(_ value: String, at index: Int32) {
        if value.utf8.withContiguousStorageIfAvailable({ bindText($0, at: index) }) != nil { return }
        var value = value
        value.withUTF8 { bindText($0, at: index) }
    }

    private func bindText(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32) {
        bindText(bytes, at: index, destructor: csqlite_transient())
    }

    /// Binds text SQLite reads where it lies (`SQLITE_STATIC`): only for bytes that stay valid
    /// until the statement is stepped and reset (see `run(binding:)`).
    func bindBorrowed(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32) {
        bindText(bytes, at: index, destructor: nil)
    }

    private func bindText(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32, destructor: sqlite3_destructor_type?) {
        bytes.withMemoryRebound(to: CChar.self) { text in
            if let start = text.baseAddress {
                _ = sqlite3_bind_text(handle, index, start, Int32(text.count), destructor)
            } else {
                // An empty buffer may have no address, and a null pointer would bind NULL, not "".
                // (Transient, whatever was asked: the literal lives only for this call.)
                _ = sqlite3_bind_text(handle, index, "", 0, csqlite_transient())
            }
        }
    }

    func bind(_ value: [UInt8], at index: Int32) {
        value.withUnsafeBytes { buffer in
            _ = sqlite3_bind_blob(handle, index, buffer.baseAddress, Int32(buffer.count), csqlite_transient())
        }
    }

    /// Steps once: `true` when a row is available, `false` when done. Prefer `rows`, `firstRow`
    /// and `run`, which reset the statement when done.
    func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            throw SQLiteError(
                extendedCode: sqlite3_extended_errcode(connection.handle),
                message: String(cString: sqlite3_errmsg(connection.handle)),
                sql: sql
            )
        }
    }

    /// Steps to the end, reading each row, and resets — so no read transaction stays open.
    ///
    /// A statement left mid-result holds its snapshot: other statements on the connection would
    /// keep reading old data, and a later `BEGIN IMMEDIATE` fails with `SQLITE_BUSY_SNAPSHOT`.
    func rows<T>(_ read: (Statement) -> T) throws(SQLiteError) -> [T] {
        defer { sqlite3_reset(handle) }
        var rows: [T] = []
        while try step() { rows.append(read(self)) }
        return rows
    }

    /// The first row, if any, then resets (see `rows`).
    func firstRow<T>(_ read: (Statement) -> T) throws(SQLiteError) -> T? {
        defer { sqlite3_reset(handle) }
        return try step() ? read(self) : nil
    }

    /// Runs a statement that returns no rows, then resets.
    func run() throws(SQLiteError) {
        defer { sqlite3_reset(handle) }
        _ = try step()
    }

    var columnCount: Int32 { sqlite3_column_count(handle) }

    func value(_ column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_NULL: .null
        case SQLITE_INTEGER: .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: .real(sqlite3_column_double(handle, column))
        default: .text(string(column))
        }
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func string(_ column: Int32) -> String {
        withBytes(column) { String(decoding: $0, as: UTF8.self) }
    }

    /// The column's text as SQLite holds it, valid only inside `body`: for values parsed from
    /// their bytes (ids, times) without a string in between.
    func withBytes<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        guard let text = sqlite3_column_text(handle, column) else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return body(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column))))
    }

    func bytes(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let blob = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: blob, count: count))
    }
}
