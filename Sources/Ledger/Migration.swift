import Crypto

/// One numbered schema change from `migrations/`, embedded at build time (see `EmbedMigrationsPlugin`).
public struct Migration: Sendable, Hashable {
    public let version: Int
    public let name: String
    public let sql: String

    /// SHA-256 of the file's text: recorded when applied, compared on every open.
    public var checksum: String { Array(SHA256.hash(data: Array(sql.utf8))).hexString }
}
