import Ledger
import Projections

/// OCPP 2.0.1 `remoteStartId`s: one counter for the whole CPO, above every id recorded, so an id
/// is never reused — a station's offline queue may echo one days later, and it must still name
/// only its own command (spec digest ocpp-2.0.1-subset.md §3.1 [REC]). Read from the ledger at
/// first use. Two instances on one ledger may pick the same id at the same moment; the binding
/// looks ids up per station and records more than one candidate as such, never a guess.
actor RemoteStartIds {
    private let store: any ProjectionStore
    private var last: Int?

    init(store: any ProjectionStore) { self.store = store }

    func next() async throws -> Int {
        if last == nil {
            let recorded = try await store.read(CommandsProjection.highestRemoteStartId)
            last = max(last ?? 0, recorded)  // another call may have seeded it during the read
        }
        let highest = last ?? 0
        // OCPP integers are 32-bit: after 2^31 - 1 commands the ids start again at 1.
        let next = highest >= Int(Int32.max) ? 1 : highest + 1
        last = next
        return next
    }
}
