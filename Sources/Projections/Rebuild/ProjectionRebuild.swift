import Domain
import Foundation
import Ledger
import Synchronization

/// Every projection rebuilt from the log into a fresh database, for `ledger replay` and the
/// benchmarks: the same folds as the live path, without a read and write per event.
///
/// States are folded in memory and spilled to the target database when there are more than
/// `capacity` per projection (the least recently touched first), so memory stays bounded on a log
/// of any length while the entities of recent charges stay in memory.
public final class ProjectionRebuild {
    private let catalogue: EventCatalogue
    private let writer: RebuildWriter
    /// Where `run` folds its pages (see `foldOffThePool`); one per rebuild, so rebuilds running
    /// at once do not queue behind each other.
    private let foldQueue = DispatchQueue(label: "chargeledger.projections.rebuild-fold")
    private let folds: [RebuildFold]
    /// The projection tables' secondary indexes (`CREATE INDEX` statements by table), dropped for
    /// the rebuild and created again by `finish`: built once from the finished tables they cost a
    /// fraction of keeping them up to date through every insert (where a rebuild spent most of its
    /// SQLite time). Unique indexes and primary keys stay, so every insert is checked and every
    /// lookup by key is indexed.
    private let deferredIndexes: [String: [String]]
    public private(set) var lastPosition: Int64 = 0
    /// Events read, decoded and folded per step of `run`. With events boxed (`DomainEvent` is
    /// indirect) a page is small; 32,768 rather than 8,192 gave fewer hand-overs between the
    /// reading, decoding and folding tasks (docs/performance.md).
    public static let defaultPageSize = 32_768
    /// Events each projection folds in turn before the next takes them: a few hundred events
    /// stay in the core's cache while all seven projections read them, where seven passes over a
    /// whole page (megabytes of boxed events) missed the cache on nearly every event (the first
    /// touch, a retain, was 8 % of a replay's profile and 3 % after).
    static let foldBlock = 512

    /// Starts a rebuild into `database` (freshly migrated: its projection tables empty).
    public init(into database: Database, catalogue: EventCatalogue = .standard, capacity: Int = 8192) throws {
        self.catalogue = catalogue
        try database.execute("BEGIN")
        let tables = ProjectionEngine.tableNames + ["anomalies"]
        let indexes = try database.rows(
            "SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'index' AND sql NOT LIKE 'CREATE UNIQUE %' AND tbl_name IN (\(tables.map { _ in "?" }.joined(separator: ", "))) ORDER BY name",
            tables.map(SQLValue.text)
        )
        for index in indexes { try database.execute("DROP INDEX \"\(index[0].text ?? "")\"") }
        deferredIndexes = Dictionary(grouping: indexes, by: { $0[2].text ?? "" }).mapValues { $0.compactMap { $0[1].text } }
        writer = RebuildWriter(database)
        folds = ProjectionEngine.tables.map { [writer] in $0.rebuildFold(into: writer, capacity: capacity) }
    }

    /// Folds one event; an event the catalogue cannot read stops the rebuild (`CatalogueError`,
    /// naming its position).
    public func apply(_ recorded: RecordedEvent) throws {
        try fold([LoggedEvent(position: recorded.position, recordedAt: recorded.recordedAt, event: try catalogue.decode(recorded))])
    }

    /// Folds the whole log of `store`, from position 0; returns the number of events.
    ///
    /// A pipeline: while one page is folded (in log order, on `foldQueue`), the next is read and
    /// decoded on the other cores — decoding needs no order.
    public func run(from store: any EventStore, pageSize: Int = ProjectionRebuild.defaultPageSize) async throws -> Int64 {
        let catalogue = self.catalogue
        var count: Int64 = 0
        var lanes = try await Self.decodedPage(of: store, after: 0, limit: pageSize, catalogue: catalogue)
        while let last = lanes.last(where: { !$0.isEmpty })?.last {
            async let next = Self.decodedPage(of: store, after: last.position, limit: pageSize, catalogue: catalogue)
            try await foldOffThePool(lanes)
            count += Int64(lanes.reduce(0) { $0 + $1.count })
            lanes = try await next
        }
        return count
    }

    /// Folds a page on `foldQueue`, a thread of its own: a fold waits for the writer (a place in
    /// its backlog, a spilled state read back), and on one of the cooperative pool's threads —
    /// two on two cores — that wait left the next page's decoding a single thread.
    private func foldOffThePool(_ lanes: [[LoggedEvent]]) async throws {
        let rebuild = Unshared(self)
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            foldQueue.async {
                done.resume(with: Result { for lane in lanes { try rebuild.value.fold(lane) } })
            }
        }
    }

    /// Reads a page and decodes it on all cores, into one array per lane, in log order (joining
    /// them would copy every event). Each lane stops at its first unreadable event; the earliest
    /// lane's error is the earliest position, which is the one a replay must name.
    private static func decodedPage(
        of store: any EventStore,
        after position: Int64,
        limit: Int,
        catalogue: EventCatalogue
    ) async throws -> [[LoggedEvent]] {
        let page = try await store.readPayloads(after: position, limit: limit)
        let lanes = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = (page.count + lanes - 1) / lanes
        let decoded = await withTaskGroup(of: (Int, Result<[LoggedEvent], CatalogueError>).self) { group in
            for lane in 0..<lanes where lane * chunk < page.count {
                group.addTask {
                    (
                        lane,
                        Result { () throws(CatalogueError) in
                            try page.withUnsafeBufferPointer { page throws(CatalogueError) in
                                try (lane * chunk..<min(page.count, (lane + 1) * chunk)).map { index throws(CatalogueError) in
                                    // Field by field: passing `page[index]` whole copied every event.
                                    LoggedEvent(
                                        position: page[index].position,
                                        recordedAt: page[index].recordedAt,
                                        event: try catalogue.decode(
                                            type: page[index].type,
                                            schemaVersion: page[index].schemaVersion,
                                            data: page[index].data,
                                            position: page[index].position
                                        )
                                    )
                                }
                            }
                        }
                    )
                }
            }
            var results = [Result<[LoggedEvent], CatalogueError>](repeating: .success([]), count: lanes)
            for await (lane, result) in group { results[lane] = result }
            return results
        }
        return try decoded.map { try $0.get() }
    }

    /// Writes the states still in memory, the indexes and the checkpoints, and commits.
    ///
    /// Each table's indexes are queued right after its last rows, so that SQLite builds them
    /// while the next table's rows are encoded on the other cores: built together at the end, on
    /// the writer's one thread, they left the rest of the machine idle for a third of a second
    /// (1M events). The anomalies' come last: every table writes anomalies.
    public func finish() throws {
        for (table, fold) in zip(ProjectionEngine.tableNames, folds) {
            try fold.flush()
            try createIndexes(of: table)
        }
        try createIndexes(of: "anomalies")
        try writer.sync { [lastPosition] database in
            try database.execute("UPDATE projection_checkpoints SET position = ?", [.integer(lastPosition)])
            try database.execute("COMMIT")
        }
    }

    private func createIndexes(of table: String) throws {
        guard let indexes = deferredIndexes[table] else { return }
        try writer.async { database in
            for index in indexes { try database.execute(index) }
        }
    }

    /// Each projection folds a block of events in turn (they are independent; each keeps log
    /// order): its loop then runs as code specialized for it, reading the events in place, where
    /// one call per event and projection through a closure copied every event it was handed.
    private func fold(_ events: [LoggedEvent]) throws {
        guard let last = events.last else { return }
        try events.withUnsafeBufferPointer { page in
            for start in stride(from: 0, to: page.count, by: Self.foldBlock) {
                let block = UnsafeBufferPointer(rebasing: page[start..<min(page.count, start + Self.foldBlock)])
                for fold in folds { try fold.apply(block) }
            }
        }
        lastPosition = last.position
    }
}

/// A rebuild handed to `foldQueue`: `run` waits for each fold to end before it touches the
/// rebuild again, so one thread at a time uses it.
private struct Unshared: @unchecked Sendable {
    let value: ProjectionRebuild
    init(_ value: ProjectionRebuild) { self.value = value }
}

/// One projection's states during a rebuild: in memory up to `capacity`, the rest in the database.
final class SpillingFold<P: Projection> {
    /// A state in memory and the position of the last event that touched it (the eviction order).
    /// A class, so that the dictionary holds a reference: a fold changes the state where it lies,
    /// and the table grows without moving states around (state copies were ~5 % of a replay's
    /// profile). `state` is `nil` only once it is taken to be written.
    private final class Slot {
        var state: P.State?
        var touched: Int64

        init(_ state: P.State, touched: Int64) {
            self.state = state
            self.touched = touched
        }
    }

    private let table: ProjectionTable<P>
    private let writer: RebuildWriter
    private let capacity: Int
    private var entries: [String: Slot] = [:]
    /// Keys that have a row in the database (spilled at least once).
    private var stored: Set<String> = []

    init(_ projection: P, _ writer: RebuildWriter, _ capacity: Int) {
        table = ProjectionTable(projection)
        self.writer = writer
        self.capacity = max(1, capacity)
    }

    func apply(block events: UnsafeBufferPointer<LoggedEvent>) throws {
        for index in events.indices { try apply(events[index]) }
    }

    private func apply(_ event: LoggedEvent) throws {
        guard let key = table.projection.key(for: event.event) else { return }
        // A state in memory is folded where it lies; one spilled before is read back from the database.
        if let slot = entries[key] {
            guard Self.fold(event, into: &slot.state, by: table.projection) else { return try forget(key) }
            slot.touched = event.position
            return
        }
        var state = stored.contains(key) ? try writer.sync { [table] in try table.load(key, from: $0) } : nil
        table.projection.apply(&state, event)
        // Taken, not bound: `guard let` copied the new state and then dropped the original.
        guard let created = state.take() else { return try forget(key) }
        entries[key] = Slot(created, touched: event.position)
        if entries.count > capacity {
            // In key order, so the inserts walk the table's B-tree instead of jumping around it.
            let touched = entries.map { (key: $0.key, position: $0.value.touched) }
            let oldest = touched.sorted { $0.position < $1.position }.prefix(entries.count - capacity / 2).map(\.key)
            try write(oldest.sorted())
        }
    }

    /// Folds `event` into a state in memory; `false` when the fold removed it. Checked here,
    /// through the `inout` access: `slot.state != nil` copied the state out of its slot first.
    private static func fold(_ event: LoggedEvent, into state: inout P.State?, by projection: P) -> Bool {
        projection.apply(&state, event)
        return !state.isNone
    }

    /// Drops an entity the fold removed: from memory, and its row if it was spilled.
    private func forget(_ key: String) throws {
        entries[key] = nil
        if stored.remove(key) != nil { try writer.async { [table] in try table.store(nil, key: key, in: $0) } }
    }

    /// Writes every state still in memory.
    func flush() throws {
        try write(entries.keys.sorted())
    }

    /// Drops the states of `keys` from memory and queues their rows: encoded on every core
    /// (where the states are freed too), then inserted on the writer's queue.
    ///
    /// Encoded in runs of consecutive keys, a few per core (so that a core busy folding does
    /// not hold the rest up), each run with one writer: its buffer serves every row of the run.
    private func write(_ keys: [String]) throws {
        guard !keys.isEmpty else { return }
        let table = self.table
        let values = keys.map { entries.removeValue(forKey: $0)!.state.take()! }
        let fresh = keys.map { stored.insert($0).inserted }
        let runs = min(keys.count, 4 * ProcessInfo.processInfo.activeProcessorCount)
        let length = (keys.count + runs - 1) / runs
        try writer.async(
            {
                let encoded = Mutex([Result<[ProjectionTable<P>.Row], any Error>?](repeating: nil, count: runs))
                DispatchQueue.concurrentPerform(iterations: runs) { run in
                    var writer = CanonicalWriter.withRoomForARow()
                    let indexes = min(keys.count, run * length)..<min(keys.count, (run + 1) * length)
                    // Borrowed where they lie (`values[index]` copied the state: a retain per field).
                    let rows = values.withUnsafeBufferPointer { values in
                        Result { try indexes.map { try table.row(values[$0], key: keys[$0], using: &writer) } }
                    }
                    encoded.withLock { $0[run] = rows }
                }
                return try encoded.withLock { $0 }.map { try $0!.get() }
            },
            then: { runs, database in
                var index = 0
                for rows in runs {
                    for row in rows {
                        try table.insert(row, key: keys[index], in: database, fresh: fresh[index])
                        index += 1
                    }
                }
            }
        )
    }
}
