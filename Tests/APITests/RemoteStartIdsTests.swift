import Ledger
import LedgerTesting
import PostgresStore
import Projections
import TestPrerequisites
import Testing

@testable import API

/// OCPP 2.0.1 `remoteStartId`s handed out by instances that share a ledger (`RemoteStartIds`).
@Suite("remoteStartId allocation")
struct RemoteStartIdsTests {
    @Test("an id in a lane is the next one ≡ the lane (mod 16) above the highest, and past 2^31 - 1 the lane starts again")
    func laneArithmetic() {
        #expect(RemoteStartIds.following(0, lane: 3) == 3)
        #expect(RemoteStartIds.following(3, lane: 3) == 19)
        #expect(RemoteStartIds.following(17, lane: 3) == 19)
        #expect(RemoteStartIds.following(0, lane: 0) == 16)
        #expect(RemoteStartIds.following(41, lane: nil) == 42)
        #expect(RemoteStartIds.following(Int(Int32.max) - 2, lane: 15) == Int(Int32.max))
        #expect(RemoteStartIds.following(Int(Int32.max), lane: 15) == 15)
        #expect(RemoteStartIds.following(Int(Int32.max) - 1, lane: 0) == 16)
        #expect(RemoteStartIds.following(Int(Int32.max) - 1, lane: nil) == 1)
    }

    @Test("alone on its ledger an instance counts 1, 2, 3")
    func aloneCountsByOne() async throws {
        try await StoreKind.sqlite.withScratchLedger { ledger in
            let store = try await ledger.open()
            let ids = RemoteStartIds(store: store, coordination: SoleInstance(), clock: ManualClock())
            #expect([try await ids.next(), try await ids.next(), try await ids.next()] == [1, 2, 3])
            await store.close()
        }
    }

    @Test(
        "two instances on one PostgreSQL ledger allocating at the same instant never hand out the same id, and one more than there are lanes is refused",
        .needsPostgres
    )
    func sharedLedgerNeverRepeats() async throws {
        try await PostgresScratch.withDatabase { location in
            try await PostgresEventStore.open(location: location, readModels: ProjectionEngine()).closing { first in
                try await PostgresEventStore.open(location: location, readModels: ProjectionEngine()).closing { second in
                    let clock = ManualClock()
                    let a = RemoteStartIds(store: first, coordination: first.coordination(instance: "a"), clock: clock)
                    let b = RemoteStartIds(store: second, coordination: second.coordination(instance: "b"), clock: clock)
                    // Nothing is recorded in between, so both read the same highest id every time:
                    // the lockstep of two instances in a start storm.
                    async let fromA = (0..<100).asyncMap { _ in try await a.next() }
                    async let fromB = (0..<100).asyncMap { _ in try await b.next() }
                    let (idsA, idsB) = try await (fromA, fromB)
                    #expect(Set(idsA).count == 100 && Set(idsB).count == 100)
                    #expect(Set(idsA).isDisjoint(with: idsB), "\(Set(idsA).intersection(idsB).sorted())")

                    // Fourteen more instances take the other lanes; a seventeenth finds none free.
                    for instance in 0..<14 {
                        _ = try await RemoteStartIds(store: first, coordination: first.coordination(instance: "i\(instance)"), clock: clock).next()
                    }
                    let late = RemoteStartIds(store: first, coordination: first.coordination(instance: "late"), clock: clock)
                    await #expect(throws: RemoteStartIds.NoFreeLane.self) { try await late.next() }
                    // Once the others' leases lapse (a's is renewed by allocating), the late one gets a lane.
                    clock.advance(milliseconds: RemoteStartIds.lease + 1)
                    let renewed = try await a.next()
                    #expect(renewed % RemoteStartIds.lanes == idsA[0] % RemoteStartIds.lanes)
                    #expect(try await late.next() % RemoteStartIds.lanes != renewed % RemoteStartIds.lanes)
                }
            }
        }
    }
}

extension Range<Int> {
    /// `transform` of each element, one after the other.
    fileprivate func asyncMap<T>(_ transform: (Int) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
