/// Applies the embedded migrations in order, each in the transaction that records it.
///
/// As GRDB's `DatabaseMigrator`: a migration that shipped is never edited. Each applied migration's
/// checksum is kept in `schema_migrations`; if the binary's copy differs, or the database knows a
/// migration the binary does not, opening is refused instead of running on a schema nobody wrote.
///
/// The log's migrations and the read models' share one numbering. A store opened without read
/// models (`complete: false`) knows only the log's, so it lets other applied migrations be; every
/// `ledger` command opens with the read models and checks them all.
struct Migrator {
    let migrations: [Migration]
    let complete: Bool

    init(migrations: [Migration], complete: Bool) {
        self.migrations = migrations
        self.complete = complete
    }

    /// A SQLite ledger's: the log's migrations and, with them, the read models'.
    init(sqliteWith readModels: (any ReadModelPort)?) {
        self.init(migrations: Migration.embedded + (readModels?.migrations(for: .sqlite) ?? []), complete: readModels != nil)
    }

    func migrate(_ connection: Connection, now: Timestamp) throws(EventStoreError) {
        do {
            try connection.immediateTransaction {
                try connection.execute(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                        checksum TEXT NOT NULL, applied_at TEXT NOT NULL)
                    """
                )
                for migration in try migrations.pending(after: try appliedMigrations(connection), complete: complete) {
                    try connection.execute(migration.sql)
                    let insert = try connection.cached(
                        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)"
                    )
                    insert.bind(migration.version, at: 1)
                    insert.bind(migration.name, at: 2)
                    insert.bind(migration.checksum, at: 3)
                    insert.bind(now.iso8601, at: 4)
                    try insert.run()
                }
            }
        } catch let error as EventStoreError {
            throw error
        } catch let error as SQLiteError {
            throw .storage(error)
        } catch {
            throw .invalidEvent("unexpected migration failure: \(error)")
        }
    }

    private func appliedMigrations(_ connection: Connection) throws(SQLiteError) -> AppliedMigrations {
        let select = try connection.cached("SELECT version, name, checksum FROM schema_migrations")
        var applied: AppliedMigrations = [:]
        for (version, name, checksum) in try select.rows({ ($0.int(0), $0.string(1), $0.string(2)) }) {
            applied[version] = (name, checksum)
        }
        return applied
    }
}
