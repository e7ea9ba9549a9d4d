import Domain
import Ledger
import LedgerTesting
import PostgresStore
import Projections
import Synchronization
import TestPrerequisites
import Testing

@testable import API

/// OCPP transaction ids handed out by two instances sharing one PostgreSQL ledger (`TransactionIds`).
@Suite("Transaction ids on a shared ledger", .needsPostgres)
struct TransactionIdsTests {
    @Test(
        "two instances starting sessions as fast as they can collide on a few ids, then count in ranges of their own: every start gets a distinct id"
    )
    func startStormOnTwoInstances() async throws {
        let startsPerLane = 25
        let lanes = 8
        try await PostgresScratch.withDatabase { location in
            try await PostgresEventStore.open(location: location, readModels: ProjectionEngine()).closing { first in
                try await PostgresEventStore.open(location: location, readModels: ProjectionEngine()).closing { second in
                    let attempts = Attempts()
                    async let fromFirst = Self.storm(first, lanes: lanes, startsPerLane: startsPerLane, attempts: attempts)
                    async let fromSecond = Self.storm(second, lanes: lanes, startsPerLane: startsPerLane, attempts: attempts)
                    let all = try await fromFirst + fromSecond
                    #expect(all.count == 2 * lanes * startsPerLane && Set(all).count == all.count)
                    // Stepping to the highest recorded id after a collision (before the random jump) kept
                    // the two counters in lockstep: collisions on most starts, some giving up after 8 tries.
                    let collisions = attempts.count.load(ordering: .relaxed) - all.count
                    print("transaction-id storm on two instances: \(collisions) collisions in \(all.count) starts")
                    #expect(collisions <= 4 * lanes, "\(collisions) collisions in \(all.count) starts")
                }
            }
        }
    }

    /// Starts made on one instance: `lanes` chargers at once, each starting `startsPerLane` sessions
    /// in turn, recorded as `TransactionService` records them (a stream per session, which must not
    /// exist yet). Every try is counted in `attempts`.
    static func storm(_ store: PostgresEventStore, lanes: Int, startsPerLane: Int, attempts: Attempts) async throws -> [Int] {
        let counter = try await TransactionIds(store: store)
        return try await withThrowingTaskGroup(of: [Int].self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var ids: [Int] = []
                    for _ in 0..<startsPerLane {
                        ids.append(
                            try await counter.withFreshId(in: store) { id in
                                attempts.count.add(1, ordering: .relaxed)
                                _ = try await store.append(
                                    [try EventCoding.newEvent(Self.started(id, lane: lane), metadata: EventMetadata(source: "test"))],
                                    to: StreamID.session(String(id)),
                                    expectedVersion: .noStream
                                )
                                return id
                            }
                        )
                    }
                    return ids
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    final class Attempts: Sendable {
        let count = Atomic<Int>(0)
    }

    static func started(_ id: Int, lane: Int) -> SessionStarted {
        SessionStarted(
            sessionId: String(id),
            chargePointId: "CP-\(lane)",
            connectorId: 1,
            transactionId: TransactionId(ocpp16: id),
            idTag: "TAG",
            locationId: "LOC-1",
            evseUid: "EVSE-\(lane)",
            authId: "TAG",
            authMethod: "AUTH_REQUEST",
            startedAt: Timestamp(iso8601: "2026-01-01T00:00:00Z")!,
            meterStartWh: 0,
            currency: "EUR"
        )
    }
}
