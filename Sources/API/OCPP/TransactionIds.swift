import Ledger
import Projections

/// OCPP transaction ids: one counter for the whole CPO, starting after the highest one recorded.
public actor TransactionIds {
    private var last: Int

    /// The counter starts after `SessionsProjection.highestTransactionId`.
    public init(store: any ProjectionStore) async throws {
        last = try await Self.highest(in: store)
    }

    func next() -> Int {
        last += 1
        return last
    }

    /// Runs `start` with a fresh id until it records without a collision: another instance on the
    /// same ledger may have taken the id meanwhile (its session's stream exists, the append is
    /// refused with `wrongExpectedVersion`), and the counter then moves past the ids taken
    /// (`skipTaken`). Gives up after `tries`, as the charger will retry.
    nonisolated func withFreshId<T>(in store: any ProjectionStore, tries: Int = 8, _ start: (Int) async throws -> T) async throws -> T {
        for _ in 0..<tries {
            let transactionId = await next()
            do {
                return try await start(transactionId)
            } catch EventStoreError.wrongExpectedVersion {
                try await skipTaken(transactionId, in: store)
            }
        }
        throw EventStoreError.database("no free transaction id after \(tries) tries: other instances keep taking them; the charger will retry")
    }

    /// Where this counter last jumped to: ids allocated from here on are in a range no other
    /// instance had reached.
    private var rangeStart = 0

    /// Id `collided` was taken by another instance on the same ledger. Stepping to the highest id
    /// recorded is not enough: both counters run ahead of what is recorded (starts in flight), so
    /// two instances stepping alike collided again and again in a start storm (two instances,
    /// 1,000 chargers at once: 476 starts gave up after 8 tries). This counter jumps instead to a
    /// random block of 1,024 ids above everything recorded, once per collision in its current
    /// range (a collision of an id allocated before the jump says nothing about the new range);
    /// the instances then count in ranges of their own until one catches up with the other. Ids
    /// need only be unique; the gaps cost nothing (OCPP 1.6 ids are 32-bit).
    func skipTaken(_ collided: Int, in store: any ProjectionStore) async throws {
        // Checked before the read (most collisions of a storm are of ids from before the jump) and
        // again after it (another call may have jumped while this one read).
        guard collided > rangeStart else { return }
        let highest = try await Self.highest(in: store)
        guard collided > rangeStart else { return }
        last = max(last, highest) + Int.random(in: 1...64) * 1_024
        rangeStart = last
    }

    private static func highest(in store: any ProjectionStore) async throws -> Int {
        try await store.read(SessionsProjection.highestTransactionId)
    }
}
