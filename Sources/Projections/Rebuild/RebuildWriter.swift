import Dispatch
import Ledger
import Synchronization

/// The database a rebuild writes into, confined to one serial queue, so that spilled states are
/// encoded and inserted while the next events are folded: the fold spent half of its time
/// waiting for its own writes, with a core to spare.
///
/// Work runs in the order it was queued: a load queued after the write of a key reads that row.
/// At most `backlog` writes wait at a time (the fold waits for a place), which bounds the states
/// held in memory on their way to the database.
final class RebuildWriter: @unchecked Sendable {  // `database` is only used on `queue`
    private let database: Database
    private let queue = DispatchQueue(label: "chargeledger.projections.rebuild-writer")
    private let backlog: DispatchSemaphore
    /// The first error of a queued write: later work is skipped, and the next call throws it.
    private let failure = Mutex<(any Error)?>(nil)

    init(_ database: Database, backlog: Int = 2) {
        self.database = database
        self.backlog = DispatchSemaphore(value: backlog)
    }

    /// Queues `work`, once fewer than `backlog` writes wait.
    func async(_ work: @escaping @Sendable (Database) throws -> Void) throws {
        try throwFailure()
        backlog.wait()
        queue.async { self.run(work) }
    }

    /// Queues a write in two stages: `prepare` (encoding rows, say) runs at once on any core, and
    /// `write` on the queue, in order, once its own `prepare` is done. The next write is then
    /// prepared while this one is inserted: with both in one stage, one core sat idle through
    /// every batch of inserts.
    func async<Prepared: Sendable>(
        _ prepare: @escaping @Sendable () throws -> Prepared,
        then write: @escaping @Sendable (Prepared, Database) throws -> Void
    ) throws {
        try throwFailure()
        backlog.wait()
        let prepared = Mutex<Result<Prepared, any Error>?>(nil)
        let ready = DispatchGroup()
        ready.enter()
        DispatchQueue.global().async {
            let result = Result { try prepare() }
            prepared.withLock { $0 = result }
            ready.leave()
        }
        queue.async {
            ready.wait()
            self.run { database in try write(try prepared.withLock { $0.take()! }.get(), database) }
        }
    }

    /// Runs one queued write (on `queue`) unless an earlier one failed, and frees its place.
    private func run(_ work: (Database) throws -> Void) {
        defer { backlog.signal() }
        guard failure.withLock({ $0 == nil }) else { return }
        do { try work(database) } catch { failure.withLock { $0 = error } }
    }

    /// Runs `work` after everything queued before it.
    func sync<T>(_ work: (Database) throws -> T) throws -> T {
        try queue.sync {
            try throwFailure()
            return try work(database)
        }
    }

    private func throwFailure() throws {
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
