import Foundation
import Ledger
import LedgerTesting
import PostgresStore
import Projections
import TestPrerequisites
import Testing

/// Heartbeats and lane leases of several instances on one PostgreSQL ledger
/// (`PostgresInstanceCoordination`), each instance on a store of its own, as separate processes are.
@Suite("Instance coordination on PostgreSQL", .needsPostgres)
struct InstanceCoordinationTests {
    let start = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
    func at(_ seconds: Int64) -> Timestamp { start.adding(milliseconds: seconds * 1000) }

    /// Claims "lane" and checks the answer: `nil` (this instance's now) or when the holder's lease lapses.
    func expectClaim(
        _ coordination: PostgresInstanceCoordination,
        _ claim: String,
        now: Int64,
        until: Int64,
        answers expected: Timestamp?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let answer = try await coordination.claim("lane", for: claim, now: at(now), until: at(until))
        #expect(answer == expected, sourceLocation: sourceLocation)
    }

    /// Two instances, `a` and `b`, on one scratch database, and a way to count a table's rows.
    func withTwoInstances(
        _ body: (PostgresInstanceCoordination, PostgresInstanceCoordination, _ rows: (String) async throws -> Int64?)
            async throws -> Void
    ) async throws {
        try await PostgresScratch.withDatabase { location in
            try await PostgresEventStore.open(location: location).closing { first in
                try await PostgresEventStore.open(location: location).closing { second in
                    try await body(first.coordination(instance: "a"), second.coordination(instance: "b")) { table in
                        try await first.projectionRows("SELECT count(*) FROM \(table)").first?.first?.integer
                    }
                }
            }
        }
    }

    @Test("a lane is one instance's until its lease lapses; the other learns when that is, and takes it after")
    func leaseLapses() async throws {
        try await withTwoInstances { a, b, _ in
            try await expectClaim(a, "a-1", now: 0, until: 60, answers: nil)
            try await expectClaim(b, "b-1", now: 10, until: 70, answers: at(60))
            try await expectClaim(a, "a-1", now: 50, until: 110, answers: nil)  // renewed
            try await expectClaim(b, "b-1", now: 70, until: 130, answers: at(110))
            try await expectClaim(b, "b-1", now: 110, until: 170, answers: nil)
            try await expectClaim(a, "a-2", now: 111, until: 171, answers: at(170))
        }
    }

    @Test("a release frees the lane only for the claim that took it: an earlier attempt's release leaves the next attempt's lease alone")
    func releaseMatchesItsClaim() async throws {
        try await withTwoInstances { a, b, _ in
            try await expectClaim(a, "attempt-1", now: 0, until: 60, answers: nil)
            try await expectClaim(a, "attempt-2", now: 1, until: 61, answers: nil)
            try await a.release("lane", for: "attempt-1")
            try await expectClaim(b, "b", now: 2, until: 62, answers: at(61))
            try await b.release("lane", for: "b")  // not b's: changes nothing
            try await expectClaim(b, "b", now: 2, until: 62, answers: at(61))
            try await a.release("lane", for: "attempt-2")
            try await expectClaim(b, "b", now: 3, until: 63, answers: nil)
        }
    }

    @Test("a heartbeat clears the leases that lapsed and the heartbeats lapsed for an hour: what instances killed without leaving left")
    func heartbeatClearsWhatTheDeadLeft() async throws {
        try await withTwoInstances { a, b, rows in
            try await b.heartbeat(now: at(0), until: at(30))
            try await expectClaim(b, "b", now: 0, until: 60, answers: nil)
            // b is killed: it never beats or releases again.
            try await a.heartbeat(now: at(59), until: at(89))
            #expect(try await rows("lane_leases") == 1)
            try await a.heartbeat(now: at(60), until: at(90))
            #expect(try await rows("lane_leases") == 0)
            #expect(try await rows("ledger_instances") == 2)
            try await a.heartbeat(now: at(30 + 3600), until: at(30 + 3630))
            #expect(try await a.liveInstances(now: at(30 + 3600)) == ["a"])
            #expect(try await rows("ledger_instances") == 1)
        }
    }

    @Test("an instance is alive until its heartbeat lapses, and gone at once when it leaves, its leases with it")
    func heartbeatsAndLeaving() async throws {
        try await withTwoInstances { a, b, _ in
            try await a.heartbeat(now: at(0), until: at(30))
            try await b.heartbeat(now: at(0), until: at(30))
            #expect(try await a.liveInstances(now: at(29)) == ["a", "b"])
            try await a.heartbeat(now: at(20), until: at(50))
            #expect(try await b.liveInstances(now: at(30)) == ["a"])
            try await expectClaim(a, "a", now: 31, until: 91, answers: nil)
            try await a.leave()
            #expect(try await b.liveInstances(now: at(31)).isEmpty)
            try await expectClaim(b, "b", now: 32, until: 92, answers: nil)
        }
    }
}
