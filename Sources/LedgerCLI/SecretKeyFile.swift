import API
import Foundation
import PostgresStore

/// The key that seals the IOP's token in the ledger (`SecretBox`): `LEDGER_SECRET_KEY` (32 bytes,
/// Base64) when set — what a PostgreSQL ledger's instances share —, else `<db>.key` beside a
/// SQLite ledger, made (mode 0600) on first use. `serve`, `register` and `credentials invite`
/// read the same one, so a registration made by one is usable by the others.
enum SecretKeyFile {
    /// The key, or `nil` on PostgreSQL without `LEDGER_SECRET_KEY` (then no registration can be kept).
    static func load(for database: DatabaseOptions) throws -> SecretBox? {
        if let key = environment("SECRET_KEY") { return try SecretBox(base64: key) }
        guard !PostgresLocation.isURL(database.db) else { return nil }
        let path = database.db + ".key"
        if let stored = try? String(contentsOfFile: path, encoding: .utf8) { return try SecretBox(base64: stored) }
        let key = SecretBox.newKey()
        guard FileManager.default.createFile(atPath: path, contents: Data((key + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw Failure.unusableDatabase("cannot write the secret key file \(path) beside the ledger")
        }
        return try SecretBox(base64: key)
    }
}
