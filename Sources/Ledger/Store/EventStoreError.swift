/// Everything that can go wrong in the event store, each case saying what to do about it.
public enum EventStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another writer got there first: re-read the stream and decide again.
    case wrongExpectedVersion(streamId: String, expected: ExpectedVersion, actual: Int64?)
    /// The event id is already stored with different content: a caller reused an id for another event.
    case duplicateEventConflict(eventId: String, storedAt: Int64)
    /// Data or metadata is not a JSON object.
    case invalidJSON(String)
    /// An event or request breaks a rule of the log (empty type, no events, …).
    case invalidEvent(String)
    /// The file exists but is not an SQLite database, or is damaged. It was not modified.
    case notADatabase(path: String, reason: String)
    /// A migration already applied to this database differs from the one in this binary.
    case migrationChanged(name: String, storedChecksum: String, binaryChecksum: String)
    /// The database was migrated by a newer binary.
    case unknownMigration(version: Int, name: String)
    /// SQLite failed: I/O error, full disk, lock held too long. Nothing was acknowledged.
    case storage(SQLiteError)
    /// The database server (PostgreSQL) failed, refused or could not be reached; the reason says
    /// which. Nothing was acknowledged.
    case database(String)
    /// The read models could not take the event at `position` (malformed data, unknown type): the
    /// request was refused so the log and its projections never disagree.
    case projectionFailed(position: Int64, reason: String)
    /// Request `index` of an all-or-nothing batch failed; nothing in the batch was written.
    indirect case batchRejected(index: Int, reason: EventStoreError)
    /// The store was closed.
    case closed

    public var description: String {
        switch self {
        case let .wrongExpectedVersion(stream, expected, actual):
            let found = actual.map { "is at version \($0)" } ?? "does not exist"
            return "stream \(stream) \(found), but the append expected \(expected): re-read the stream and retry"
        case let .duplicateEventConflict(eventId, position):
            return "event id \(eventId) is already stored at position \(position) with different content: give the new event a new id"
        case let .invalidJSON(reason):
            return "invalid event JSON: \(reason)"
        case let .invalidEvent(reason):
            return "invalid event: \(reason)"
        case let .notADatabase(path, reason):
            return "\(path) is not a chargeledger database (\(reason)); it was left untouched — check the --db path"
        case let .migrationChanged(name, stored, binary):
            return
                "migration \(name) was applied with checksum \(stored) but this binary carries \(binary): shipped migrations must never be edited — restore the file and add a new migration instead"
        case let .unknownMigration(version, name):
            return
                "the database has migration \(version) (\(name)) that this binary does not know: it was written by a newer chargeledger — upgrade the binary"
        case let .storage(error):
            return "storage failure, nothing was recorded: \(error)"
        case let .database(reason):
            return "PostgreSQL: \(reason)"
        case let .projectionFailed(position, reason):
            return "the event that would be at position \(position) was refused by the projections: \(reason)"
        case let .batchRejected(index, reason):
            return "request \(index + 1) of the batch was refused, so nothing was written: \(reason)"
        case .closed:
            return "the event store is closed"
        }
    }
}
