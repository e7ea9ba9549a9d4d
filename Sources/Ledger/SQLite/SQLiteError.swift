import CSQLite

/// An error reported by SQLite, with the statement that caused it.
///
/// Mirrors GRDB's `DatabaseError`: the primary and extended result codes are kept so callers can
/// tell a constraint violation from a full disk without parsing messages.
public struct SQLiteError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_IOERR_FSYNC`, …).
    public let extendedCode: Int32
    public let message: String
    public let sql: String?

    /// The primary result code (`SQLITE_CONSTRAINT`, `SQLITE_FULL`, …).
    public var code: Int32 { extendedCode & 0xFF }

    /// `SQLITE_CONSTRAINT_UNIQUE` and `SQLITE_CONSTRAINT_PRIMARYKEY` are macro expressions Swift
    /// cannot import; their values are fixed by SQLite's ABI.
    public var isUniqueConstraintViolation: Bool {
        extendedCode == SQLITE_CONSTRAINT | (8 << 8) || extendedCode == SQLITE_CONSTRAINT | (6 << 8)
    }

    /// The file is not a database or is damaged: nothing may be written to it.
    public var isNotADatabase: Bool { code == SQLITE_NOTADB || code == SQLITE_CORRUPT }

    public var description: String {
        let name = String(cString: sqlite3_errstr(extendedCode))
        if let sql { return "SQLite error \(extendedCode) (\(name)): \(message) — in `\(sql)`" }
        return "SQLite error \(extendedCode) (\(name)): \(message)"
    }
}
