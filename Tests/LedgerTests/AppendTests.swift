import Foundation
import Ledger
import LedgerTesting
import Testing

@Suite("Appending to a stream")
struct AppendTests {
    @Test("positions are global and gap-free; versions count per stream", arguments: StoreKind.available)
    func positionsAndVersions(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            let first = try await store.append([try Fixture.event(), try Fixture.event()], to: "a", expectedVersion: .noStream)
            let second = try await store.append([try Fixture.event()], to: "b", expectedVersion: .noStream)
            let third = try await store.append([try Fixture.event()], to: "a", expectedVersion: .exact(2))
            #expect(first.positions == [1, 2] && first.streamVersion == 2)
            #expect(second.positions == [3] && second.streamVersion == 1)
            #expect(third.positions == [4] && third.streamVersion == 3)
            #expect(try await store.headPosition() == 4)
        }
    }

    @Test(
        "each expected-version rule accepts and refuses as documented",
        arguments: StoreKind.available,
        [
            (ExpectedVersion.any, nil as Int64?, true), (.any, 2, true),
            (.noStream, nil, true), (.noStream, 2, false),
            (.exists, nil, false), (.exists, 2, true),
            (.exact(0), nil, true), (.exact(2), 2, true), (.exact(1), 2, false), (.exact(3), 2, false), (.exact(1), nil, false),
        ]
    )
    func expectedVersions(kind: StoreKind, rule: (expected: ExpectedVersion, existing: Int64?, accepted: Bool)) async throws {
        let (expected, existing, accepted) = rule
        try await kind.withTemporaryStore { store in
            if let existing {
                _ = try await store.append((0..<existing).map { _ in try Fixture.event() }, to: "s", expectedVersion: .noStream)
            }
            do {
                _ = try await store.append([try Fixture.event()], to: "s", expectedVersion: expected)
                #expect(accepted)
            } catch let error as EventStoreError {
                #expect(!accepted)
                #expect(error == .wrongExpectedVersion(streamId: "s", expected: expected, actual: existing))
            }
        }
    }

    @Test("many writers racing for one version: exactly one wins, the others learn the actual version", arguments: StoreKind.available)
    func oneWinnerPerVersion(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            let outcomes = await withTaskGroup(of: Result<AppendResult, EventStoreError>.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        do { return .success(try await store.append([try Fixture.event()], to: "race", expectedVersion: .exact(0))) } catch let error
                            as EventStoreError
                        { return .failure(error) } catch { return .failure(.invalidEvent("\(error)")) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let winners = outcomes.filter { if case .success = $0 { true } else { false } }
            #expect(winners.count == 1)
            for case .failure(let error) in outcomes {
                #expect(error == .wrongExpectedVersion(streamId: "race", expected: .exact(0), actual: 1))
            }
        }
    }

    @Test("concurrent writers retrying on conflict fill every version exactly once, without gaps", arguments: StoreKind.available)
    func concurrentWritersNoGaps(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            let writers = 16
            let appendsEach = 8
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var done = 0
                        while done < appendsEach {
                            let current = try await store.readStream("shared", fromVersion: 1, limit: .max).last?.streamVersion ?? 0
                            do {
                                _ = try await store.append(
                                    [try Fixture.event(data: ["writer": "\(writer)", "n": "\(done)"])],
                                    to: "shared",
                                    expectedVersion: .exact(current)
                                )
                                done += 1
                            } catch EventStoreError.wrongExpectedVersion {
                                continue
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let events = try await store.readStream("shared", fromVersion: 1, limit: .max)
            #expect(events.map(\.streamVersion) == Array(1...Int64(writers * appendsEach)))
            #expect(Set(events.map(\.data)).count == writers * appendsEach)
            #expect(try await store.verify().isClean)
        }
    }

    @Test("a retried append with the same event ids returns the original positions and writes nothing", arguments: StoreKind.available)
    func idempotentRetry(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            let events = [try Fixture.event(data: ["k": "1"]), try Fixture.event(data: ["k": "2"])]
            let original = try await store.append(events, to: "s", expectedVersion: .noStream)
            _ = try await store.append([try Fixture.event()], to: "other", expectedVersion: .any)
            // The retry's expected version is now stale; the ids still make it a no-op, not a conflict.
            let retry = try await store.append(events, to: "s", expectedVersion: .noStream)
            #expect(retry.positions == original.positions)
            #expect(retry.streamVersion == 2)
            #expect(retry.wasAlreadyStored)
            #expect(!original.wasAlreadyStored)
            #expect(try await store.headPosition() == 3)
        }
    }

    @Test("the same event id with different content is refused and names where the original is", arguments: StoreKind.available)
    func conflictingDuplicateId(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            let id = UUID()
            _ = try await store.append([try Fixture.event(id: id, data: ["amount": "1"])], to: "s", expectedVersion: .any)
            await #expect(throws: EventStoreError.duplicateEventConflict(eventId: id.uuidString.lowercased(), storedAt: 1)) {
                try await store.append([try Fixture.event(id: id, data: ["amount": "2"])], to: "s", expectedVersion: .any)
            }
            await #expect(throws: EventStoreError.duplicateEventConflict(eventId: id.uuidString.lowercased(), storedAt: 1)) {
                try await store.append([try Fixture.event(id: id, data: ["amount": "1"])], to: "elsewhere", expectedVersion: .any)
            }
            #expect(try await store.headPosition() == 1)
        }
    }

    @Test("a request that fails midway leaves nothing behind, and other requests in the batch still land", arguments: StoreKind.available)
    func failedRequestIsAtomic(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            let stored = try Fixture.event(data: ["k": "stored"])
            _ = try await store.append([stored], to: "s", expectedVersion: .any)
            let clash = try Fixture.event("Other", id: stored.eventId, data: ["k": "different"])
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = try? await store.append([try Fixture.event(), clash], to: "t", expectedVersion: .any) }
                group.addTask { _ = try? await store.append([try Fixture.event()], to: "u", expectedVersion: .any) }
            }
            #expect(try await store.readStream("t", fromVersion: 1, limit: 10).isEmpty)
            #expect(try await store.readStream("u", fromVersion: 1, limit: 10).count == 1)
            #expect(try await store.verify().isClean)
        }
    }

    @Test(
        "invalid appends are refused with a reason",
        arguments: StoreKind.available,
        ["empty stream", "no events", "empty type", "schema 0", "id twice"]
    )
    func invalidAppends(kind: StoreKind, refusal: String) async throws {
        try await kind.withTemporaryStore { store in
            var event = try Fixture.event()
            var stream = "s"
            var events = [event]
            switch refusal {
            case "empty stream": stream = ""
            case "no events": events = []
            case "empty type":
                event.type = ""
                events = [event]
            case "schema 0":
                event.schemaVersion = 0
                events = [event]
            default: events = [event, event]
            }
            await #expect {
                try await store.append(events, to: stream, expectedVersion: .any)
            } throws: { error in
                guard case EventStoreError.invalidEvent = error else { return false }
                return true
            }
            #expect(try await store.headPosition() == 0)
        }
    }

    @Test("data and metadata are stored canonically whatever their spelling", arguments: StoreKind.available)
    func canonicalStorage(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            let data = try CanonicalJSON(parsing: #"{ "b": 1.50, "a": "x\/y", "c": [true, null] }"#)
            let event = NewEvent(
                eventId: UUID(),
                type: "T",
                schemaVersion: 1,
                data: data,
                rawMetadata: try CanonicalJSON(parsing: #"{"source":"test","extra":1}"#),
                recordedAt: nil
            )
            _ = try await store.append([event], to: "s", expectedVersion: .any)
            let stored = try #require(try await store.readAll(after: 0, limit: 1).first)
            #expect(stored.data.text == #"{"a":"x/y","b":1.50,"c":[true,null]}"#)
            #expect(stored.metadata.text == #"{"extra":1,"source":"test"}"#)
        }
    }

    @Test("recorded_at comes from the injected clock", arguments: StoreKind.available)
    func recordedAtFromClock(kind: StoreKind) async throws {
        let clock = ManualClock(Timestamp(iso8601: "2026-03-01T08:00:00Z")!)
        try await kind.withTemporaryStore(clock: clock) { store in
            _ = try await store.append([try Fixture.event()], to: "s", expectedVersion: .any)
            clock.advance(milliseconds: 90_500)
            _ = try await store.append([try Fixture.event()], to: "s", expectedVersion: .any)
            let times = try await store.readAll(after: 0, limit: 10).map(\.recordedAt.iso8601)
            #expect(times == ["2026-03-01T08:00:00.000Z", "2026-03-01T08:01:30.500Z"])
        }
    }
}
