import Foundation
import Ledger
import Logging
import PostgresNIO

/// Applies `migrations/postgres/ledger/*.sql` and the read models' PostgreSQL migrations (both
/// embedded at build time) as `Migrator` applies SQLite's: in order, each recorded with its
/// checksum, a changed or unknown one refused (unknown ones only when the read models are there
/// to claim theirs). Several instances may start at once on one database: an advisory lock lets
/// one migrate at a time.
enum PostgresMigrator {
    /// `pg_advisory_xact_lock` key of migrations ("chlgmigr").
    static let lock: Int64 = 0x6368_6c67_6d69_6772

    static func migrate(
        _ client: PostgresClient,
        at location: PostgresLocation,
        now: Timestamp,
        readModels: (any ReadModelPort)?,
        logger: Logger
    ) async throws(EventStoreError) {
        let migrations = Migration.embedded + (readModels?.migrations(for: .postgres) ?? [])
        do {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(lock))", logger: logger)
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)
                    """,
                    logger: logger
                )
                var applied: AppliedMigrations = [:]
                let rows = try await connection.query("SELECT version, name, checksum FROM schema_migrations", logger: logger)
                for try await (version, name, checksum) in rows.decode((Int32, String, String).self) {
                    applied[Int(version)] = (name, checksum)
                }
                for migration in try migrations.pending(after: applied, complete: readModels != nil) {
                    for statement in statements(of: migration.sql) {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query(
                        """
                        INSERT INTO schema_migrations (version, name, checksum, applied_at)
                        VALUES (\(Int32(migration.version)), \(migration.name), \(migration.checksum), \(now.iso8601))
                        """,
                        logger: logger
                    )
                }
            }
        } catch {
            throw .postgres(error, at: location)
        }
    }

    /// The statements of a migration file, split at the semicolons that end them — not those in
    /// comments, quoted text or a `$$` function body. (PostgreSQL's extended protocol, which
    /// PostgresNIO speaks, takes one statement at a time.)
    static func statements(of sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var dollarTag: Substring?  // inside $tag$ … $tag$
        var index = sql.startIndex
        func rest() -> Substring { sql[index...] }
        while index < sql.endIndex {
            let character = sql[index]
            if let tag = dollarTag {
                if rest().hasPrefix(tag) {
                    current += tag
                    index = sql.index(index, offsetBy: tag.count)
                    dollarTag = nil
                    continue
                }
            } else if rest().hasPrefix("--") {
                let end = rest().firstIndex(of: "\n") ?? sql.endIndex
                index = end
                continue
            } else if character == "'" {
                let end = rest().dropFirst().firstIndex(of: "'").map { sql.index(after: $0) } ?? sql.endIndex
                current += sql[index..<end]
                index = end
                continue
            } else if character == "$", let tag = rest().firstMatch(of: /^\$[A-Za-z_]*\$/)?.output {
                dollarTag = tag
                current += tag
                index = sql.index(index, offsetBy: tag.count)
                continue
            } else if character == ";" {
                statements.append(current)
                current = ""
                index = sql.index(after: index)
                continue
            }
            current.append(character)
            index = sql.index(after: index)
        }
        statements.append(current)
        return statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}
