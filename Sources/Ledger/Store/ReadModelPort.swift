/// Which SQL a store speaks: read models ship their schema in each.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres
}

/// What a store needs from the read models it keeps in step inside its append transactions: the
/// one port both stores take (`SQLiteEventStore(readModels:)`, `PostgresEventStore.open(readModels:)`),
/// so neither store knows which read models exist, and each writes them in its own dialect.
///
/// A batch goes: `admit` the events (before they are inserted: the log never holds what its read
/// models could not take) → read the checkpoints (`checkpointTable`) → `plan` → read the stored
/// bodies the plan names → `fold` → run the writes → move every checkpoint on to the batch's last
/// position. All inside the append's transaction.
public protocol ReadModelPort: Sendable {
    /// The read models' own schema in `dialect`, applied after the log's in version order (one
    /// numbering across both sets: a version is used once).
    func migrations(for dialect: SQLDialect) -> [Migration]

    /// Decodes the events, or throws `RefusedEvent` for one the read models cannot take.
    /// `payloads` are the appended events' own (`NewEvent.payload`), one for each event, which
    /// the port may take instead of decoding; empty for events read back from the log.
    func admit(_ events: [RecordedEvent], payloads: [(any Sendable)?]) throws(RefusedEvent) -> AdmittedEvents

    /// The rows the fold of `events` (admitted in one or several requests of a transaction)
    /// needs, each read model taking only the events past its checkpoint.
    func plan(_ events: [AdmittedEvents], checkpoints: [String: Int64]) -> ReadModelPlan

    /// Folds the planned events into the stored bodies (`stored[table][key]`; a key without a
    /// row is a new entity) and returns the writes, in the order they are to run.
    func fold(_ plan: ReadModelPlan, stored: [String: [String: String]]) throws -> [ReadModelWrite]
}

extension ReadModelPort {
    /// A table `(name TEXT PRIMARY KEY, position INTEGER NOT NULL)`: each read model's last folded position.
    public var checkpointTable: String { "projection_checkpoints" }
}

/// An event the read models cannot take (a type or shape their catalogue does not know): the
/// append that carries it is refused, naming it.
public struct RefusedEvent: Error, CustomStringConvertible {
    public let position: Int64
    public let reason: String
    public var description: String { reason }

    public init(position: Int64, reason: String) {
        self.position = position
        self.reason = reason
    }
}

/// Events a `ReadModelPort` decoded, handed back to it by the store: what they decoded to is the
/// port's business (`decoded`), the store only carries it.
public struct AdmittedEvents: Sendable {
    public let decoded: any Sendable

    public init(decoded: any Sendable) {
        self.decoded = decoded
    }
}

/// A batch's fold, planned: the rows to read first, by table.
public struct ReadModelPlan: Sendable {
    public let reads: [(table: String, keys: [String])]
    public let position: Int64
    /// The port's own state of the plan, handed back to `fold`.
    public let state: any Sendable

    public init(reads: [(table: String, keys: [String])], position: Int64, state: any Sendable) {
        self.reads = reads
        self.position = position
        self.state = state
    }
}

/// One write a fold asks of the store, in terms both dialects express.
public enum ReadModelWrite: Sendable {
    /// Deletes the rows whose `column` is one of `values`.
    case delete(table: String, column: String, values: [String])
    /// Inserts rows, each replacing the row with its key (the first column).
    case upsert(table: String, columns: [String], rows: [[SQLValue]])
    /// Inserts rows, leaving out any already present.
    case insertNew(table: String, columns: [String], rows: [[SQLValue]])
}
