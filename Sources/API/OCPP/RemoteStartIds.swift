import Ledger
import Projections

/// OCPP 2.0.1 `remoteStartId`s: one sequence for the whole CPO, above every id recorded, so an id
/// is never reused — a station's offline queue may echo one days later, and it must still name
/// only its own command (spec digest ocpp-2.0.1-subset.md §3.1 [REC]).
///
/// The highest recorded id is read (an index lookup) at every allocation, so instances sharing a
/// ledger continue each other's sequence. Two of them may still pick the same id in the same
/// instant; the binding looks ids up per station and records more than one candidate as such,
/// never a guess.
actor RemoteStartIds {
    private let store: any ProjectionStore
    /// The last id handed out here: calls overlapping the read below still get distinct ids.
    private var last = 0

    init(store: any ProjectionStore) { self.store = store }

    func next() async throws -> Int {
        let recorded = try await store.read(CommandsProjection.highestRemoteStartId)
        // OCPP integers are 32-bit: after 2^31 - 1 ids the sequence starts again at 1.
        let highest = recorded >= Int(Int32.max) ? last : max(last, recorded)
        last = highest >= Int(Int32.max) ? 1 : highest + 1
        return last
    }
}
