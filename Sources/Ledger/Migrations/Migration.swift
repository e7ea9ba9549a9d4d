import Crypto

/// One numbered schema change from `migrations/`, embedded at build time (see `EmbedMigrationsPlugin`).
public struct Migration: Sendable, Hashable {
    public let version: Int
    public let name: String
    public let sql: String

    /// SHA-256 of the file's text: recorded when applied, compared on every open.
    public var checksum: String { Array(SHA256.hash(data: Array(sql.utf8))).hexString }

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// What a database says it has applied: version → (name, checksum).
public typealias AppliedMigrations = [Int: (name: String, checksum: String)]

extension Array where Element == Migration {
    /// The migrations still to apply to a database that has applied `applied` — or why it must
    /// not be opened: an applied migration this binary does not know (a newer binary wrote it), or
    /// one whose text has changed since (shipped migrations are never edited). When this list is
    /// not `complete` (the log's alone), applied migrations it does not hold are another set's.
    public func pending(after applied: AppliedMigrations, complete: Bool = true) throws(EventStoreError) -> [Migration] {
        let known = Dictionary(uniqueKeysWithValues: map { ($0.version, $0) })
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let migration = known[version] else {
                if complete { throw .unknownMigration(version: version, name: record.name) }
                continue
            }
            guard migration.checksum == record.checksum else {
                throw .migrationChanged(name: migration.name, storedChecksum: record.checksum, binaryChecksum: migration.checksum)
            }
        }
        return sorted { $0.version < $1.version }.filter { applied[$0.version] == nil }
    }
}
