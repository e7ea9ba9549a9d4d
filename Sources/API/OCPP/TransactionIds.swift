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

    /// Moves past the ids other instances on the same ledger have taken since.
    func skipTaken(in store: any ProjectionStore) async throws {
        last = max(last, try await Self.highest(in: store))
    }

    private static func highest(in store: any ProjectionStore) async throws -> Int {
        try await store.read(SessionsProjection.highestTransactionId)
    }
}
