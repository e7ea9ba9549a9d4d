import Foundation
import Ledger
import LedgerTesting
import Projections
import TestPrerequisites
import Testing

@Suite("Incremental projection equals full replay")
struct IncrementalEqualsReplayTests {
    /// Random valid histories applied event by event through the live path — with restarts at
    /// random points, and stretches written by a store without projections that the next open must
    /// catch up on — end in exactly the rows a full replay from position 0 builds, on every store.
    @Test("random histories, restarts at random positions", arguments: StoreKind.available, [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func incrementalEqualsReplay(kind: StoreKind, seed: UInt64) async throws {
        try await kind.withScratchLedger { ledger in try await incrementalEqualsReplay(ledger, seed: seed) }
    }

    private func incrementalEqualsReplay(_ ledger: ScratchLedger, seed: UInt64) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var history = RandomHistory(seed: seed)
        var random = SeededGenerator(seed: seed &* 7919)
        var store = try await ledger.open()
        var restarts = 0
        var catchUps = 0
        for _ in 0..<300 {
            switch Int.random(in: 0..<40, using: &random) {
            case 0:
                await store.close()
                store = try await ledger.open()
                restarts += 1
            case 1:
                // An older binary (no projections) writes a few events; reopening must catch up.
                await store.close()
                let plain = try await ledger.open(projections: false)
                for _ in 0..<Int.random(in: 1...10, using: &random) {
                    let (stream, event) = try history.nextNewEvent()
                    _ = try await plain.append([event], to: stream, expectedVersion: .any)
                }
                await plain.close()
                store = try await ledger.open()
                catchUps += 1
            case 2:
                // Several at once: group commit folds them in one batch.
                let events = try (0..<Int.random(in: 2...12, using: &random)).map { _ in try history.nextNewEvent() }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (stream, event) in events {
                        group.addTask { [store] in _ = try await store.append([event], to: stream, expectedVersion: .any) }
                    }
                    try await group.waitForAll()
                }
            default:
                let (stream, event) = try history.nextNewEvent()
                _ = try await store.append([event], to: stream, expectedVersion: .any)
            }
        }
        let live = try await store.projectionDump().canonicalText
        let replay = try await ReplayCheck.run(store: store, scratchPath: directory.path("scratch.sqlite"))
        // One event at a time, not through `run`'s parallel pages: a second, independent path.
        let events = try await store.readAll(after: 0, limit: .max)
        await store.close()

        let database = try Database.open(path: directory.path("rebuilt.sqlite"), readModels: ProjectionEngine())
        let rebuild = try ProjectionRebuild(into: database, capacity: Int.random(in: 1...64, using: &random))
        for event in events { try rebuild.apply(event) }
        try rebuild.finish()
        let rebuilt = try ProjectionDump.json(database).canonicalText
        #expect(live == rebuilt, "\(ledger.kind), seed \(seed): live and rebuilt projections differ (\(restarts) restarts, \(catchUps) catch-ups)")
        guard case .identical = replay else {
            Issue.record("\(ledger.kind), seed \(seed): ledger replay found differences: \(replay)")
            return
        }
    }
}

@Suite("Several writers on one PostgreSQL ledger", .needsPostgres)
struct SeveralWritersTests {
    /// As two `ledger serve` instances would: each store folds its own batches, reading the rows
    /// and checkpoints under the append lock, so neither overwrites a fold of the other.
    @Test("two stores appending at once on one database keep the projections a replay rebuilds")
    func twoWriters() async throws {
        try await StoreKind.postgres.withScratchLedger { ledger in
            var history = RandomHistory(seed: 42)
            let events = try (0..<400).map { _ in try history.nextNewEvent() }
            let first = try await ledger.open()
            let second = try await ledger.open()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, (stream, event)) in events.enumerated() {
                    let store = index % 2 == 0 ? first : second
                    group.addTask { _ = try await store.append([event], to: stream, expectedVersion: .any) }
                }
                try await group.waitForAll()
            }
            #expect(try await first.headPosition() == 400)
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let replay = try await ReplayCheck.run(store: first, scratchPath: directory.path("scratch.sqlite"))
            await first.close()
            await second.close()
            guard case .identical(events: 400) = replay else {
                Issue.record("two writers left projections a replay does not rebuild: \(replay)")
                return
            }
        }
    }
}
