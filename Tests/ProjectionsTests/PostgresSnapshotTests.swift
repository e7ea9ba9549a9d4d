import Dispatch
import Foundation
import Ledger
import LedgerTesting
import PostgresStore
import Projections
import Synchronization
import TestPrerequisites
import Testing

/// The synchronous reads of a PostgreSQL snapshot (`PostgresSnapshotReader`), which the audit,
/// billing export and the server's reads go through.
@Suite("PostgreSQL snapshot reads", .needsPostgres)
struct PostgresSnapshotTests {
    @Test("placeholders are numbered for PostgreSQL outside quoted text, and values keep their kinds")
    func placeholders() async throws {
        try await PostgresScratch.withDatabase { location in
            try await PostgresEventStore.open(location: location).closing { store -> Void in
                let rows = try await store.projectionRows("SELECT '?', ?, ? + 1, ?", [.text("x"), .integer(41), .null])
                #expect(rows == [[.text("?"), .text("x"), .integer(42), .null]])
            }
        }
    }

    /// The thread that waits for a query cannot be interrupted by the deadline around the
    /// snapshot: the server cancels the statement at the store's timeout (and the reader would
    /// give up on its own a second later), so the caller gets an error, not a 40 s wait.
    @Test("a query that runs past the store's timeout is cancelled with an error instead of holding the caller")
    func queryTimeout() async throws {
        try await PostgresScratch.withDatabase { location in
            // Migrated first; then opened with the short timeout, which a busy machine (CI runs the
            // soak meanwhile) may miss at the first tries: the open is not what is tested.
            await (try await PostgresEventStore.open(location: location)).close()
            var opened: PostgresEventStore?
            for _ in 0..<10 where opened == nil { opened = try? await PostgresEventStore.open(location: location, timeout: .seconds(3)) }
            try await #require(opened).closing { store -> Void in
                let start = ContinuousClock.now
                await #expect {
                    _ = try await store.projectionRows("SELECT pg_sleep(40)")
                } throws: { error in
                    "\(error)".contains("statement timeout") || "\(error)".contains("did not answer within")
                }
                #expect(ContinuousClock.now - start < .seconds(25))
                // The store is usable at once.
                let after = try await store.projectionRows("SELECT 1", [])
                #expect(after == [[.integer(1)]])
            }
        }
    }

    /// A read of one statement runs alone (its own snapshot); a read of several is run again in a
    /// REPEATABLE READ transaction. Between its two queries another connection commits a row:
    /// the read must not see it in the second when the first did not.
    @Test("a read of several queries sees one snapshot, even with a commit between them and an error swallowed by the read code")
    func severalQueriesOneSnapshot() async throws {
        try await PostgresScratch.withDatabase { location in
            try await PostgresEventStore.open(location: location).closing { store -> Void in
                _ = try await store.projectionRows("CREATE TABLE IF NOT EXISTS snapshot_probe (n integer)")
                let ran = Counter()
                // Closed on every path: a failing read must not leave its connections behind.
                let counts = try await PostgresEventStore.open(location: location).closing { other in
                    try await store.withProjectionSnapshot { reader -> [Int64] in
                        let before = try reader.rows("SELECT count(*) FROM snapshot_probe").first?.first?.integer ?? -1
                        // Committed by another connection while this read is between its queries.
                        ran.add()
                        let done = DispatchSemaphore(value: 0)
                        Task {
                            _ = try? await other.projectionRows("INSERT INTO snapshot_probe VALUES (1) RETURNING n")
                            done.signal()
                        }
                        done.wait()
                        // `try?`: read code that swallows errors must not get a wrong answer either.
                        let after = (try? reader.rows("SELECT count(*) FROM snapshot_probe"))?.first?.first?.integer ?? -1
                        return [before, after]
                    }
                }
                // Alone, the read saw 0 and was stopped at its second query; run again in a
                // transaction it saw the first insert twice, not the second one committed between.
                #expect(counts == [1, 1])
                #expect(ran.count == 2)
            }
        }
    }

    /// Counts the runs of the read code.
    final class Counter: Sendable {
        private let value = Mutex(0)
        var count: Int { value.withLock { $0 } }
        func add() { value.withLock { $0 += 1 } }
    }
}
