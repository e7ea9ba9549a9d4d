import Ledger
import Projections

/// OCPP 2.0.1 `remoteStartId`s: one sequence for the whole CPO, above every id recorded, so an id
/// is never reused — a station's offline queue may echo one days later, and it must still name
/// only its own command (spec digest ocpp-2.0.1-subset.md §3.1 [REC]).
///
/// The highest recorded id is read (an index lookup) at every allocation, so instances sharing a
/// ledger continue each other's sequence. Reading alone let two of them pick the same id in the
/// same instant (both read the same highest: seen twice in CI's two-instance soak, two commands
/// then named by one id, which the binding records as unresolved). So an instance on a shared
/// ledger leases one of `lanes` residues (`InstanceCoordination.claim`, renewed while it
/// allocates) and hands out only ids ≡ that residue (mod `lanes`): two live instances never hold
/// the same residue, so they never hand out the same id. Alone on its ledger an instance counts
/// 1, 2, 3… as before.
actor RemoteStartIds {
    /// Residues, so at most this many instances allocate at once; one more finds none free and
    /// its START_SESSIONs to 2.0.1 stations are answered with an error until one is.
    static let lanes = 16
    /// How long a residue is held without an allocation; renewed once half of it has passed.
    static let lease: Int64 = 60_000

    private let store: any ProjectionStore
    private let coordination: any InstanceCoordination
    private let clock: any LedgerClock
    /// The last id handed out here: calls overlapping the read below still get distinct ids.
    private var last = 0
    /// The residue this instance holds, and until when.
    private var held: (lane: Int, until: Timestamp)?

    init(store: any ProjectionStore, coordination: any InstanceCoordination, clock: any LedgerClock) {
        self.store = store
        self.coordination = coordination
        self.clock = clock
    }

    func next() async throws -> Int {
        let lane = try await heldLane()
        let recorded = try await store.read(CommandsProjection.highestRemoteStartId)
        // OCPP integers are 32-bit: after 2^31 - 1 ids the sequence starts again at 1.
        let highest = recorded >= Int(Int32.max) ? last : max(last, recorded)
        last = Self.following(highest, lane: lane)
        return last
    }

    /// The first id above `id` in `lane` (any id when `lane` is `nil`), wrapping to the lane's
    /// first id past 2^31 - 1.
    static func following(_ id: Int, lane: Int?) -> Int {
        guard let lane else { return id + 1 >= Int(Int32.max) ? 1 : id + 1 }
        let candidate = id + 1 + (lane - (id + 1) % lanes + lanes) % lanes
        return candidate > Int(Int32.max) ? (lane == 0 ? lanes : lane) : candidate
    }

    /// This instance's residue: `nil` alone on its ledger; otherwise the one it holds (renewed
    /// when half its lease has passed), or the first free one.
    private func heldLane() async throws -> Int? {
        guard coordination.sharesLedger else { return nil }
        let now = clock.now()
        if let held, now < held.until.adding(milliseconds: -Self.lease / 2) { return held.lane }
        let until = now.adding(milliseconds: Self.lease)
        // The residue held before first, so ids stay in one lane while it can be kept.
        let order = held.map { [$0.lane] } ?? []
        for lane in order + (0..<Self.lanes).filter({ !order.contains($0) }) {
            if try await coordination.claim("remote-start-ids:\(lane)", for: "remote-start-ids", now: now, until: until) == nil {
                held = (lane, until)
                return lane
            }
        }
        held = nil
        throw NoFreeLane()
    }

    struct NoFreeLane: Error, CustomStringConvertible {
        var description: String { "all \(RemoteStartIds.lanes) remoteStartId lanes are held by other instances" }
    }
}
