import Foundation
import Ledger
import LedgerTesting
import Testing

@Suite("Reading the log")
struct ReadTests {
    /// Three streams interleaved, two correlation ids.
    private func seed(_ store: SQLiteEventStore) async throws {
        _ = try await store.append([try Fixture.event("A1", correlationId: "cmd-1")], to: "command-1", expectedVersion: .noStream)
        _ = try await store.append([try Fixture.event("B1", correlationId: "cmd-2")], to: "command-2", expectedVersion: .noStream)
        _ = try await store.append([try Fixture.event("A2", correlationId: "cmd-1")], to: "command-1", expectedVersion: .exact(1))
        _ = try await store.append([try Fixture.event("S1", correlationId: "cmd-1")], to: "session-9", expectedVersion: .noStream)
        _ = try await store.append([try Fixture.event("B2")], to: "command-2", expectedVersion: .exact(1))
    }

    @Test("one stream in version order, from a version")
    func byStream() async throws {
        try await SQLiteEventStore.withTemporary { store, _ in
            try await seed(store)
            #expect(try await store.readStream("command-1", fromVersion: 1, limit: 10).map(\.type) == ["A1", "A2"])
            #expect(try await store.readStream("command-2", fromVersion: 2, limit: 10).map(\.type) == ["B2"])
            #expect(try await store.readStream("nothing", fromVersion: 1, limit: 10).isEmpty)
        }
    }

    @Test("all events after a position, paged")
    func byPosition() async throws {
        try await SQLiteEventStore.withTemporary { store, _ in
            try await seed(store)
            #expect(try await store.readAll(after: 0, limit: 2).map(\.position) == [1, 2])
            #expect(try await store.readAll(after: 2, limit: 2).map(\.position) == [3, 4])
            #expect(try await store.readAll(after: 4, limit: 2).map(\.position) == [5])
            #expect(try await store.readAll(after: 5, limit: 2).isEmpty)
        }
    }

    @Test("every event of one correlation id, across streams, in log order")
    func byCorrelation() async throws {
        try await SQLiteEventStore.withTemporary { store, _ in
            try await seed(store)
            #expect(try await store.read(correlationId: "cmd-1", after: 0, limit: 10).map(\.type) == ["A1", "A2", "S1"])
            #expect(try await store.read(correlationId: "cmd-1", after: 3, limit: 10).map(\.type) == ["S1"])
            #expect(try await store.read(correlationId: "cmd-2", after: 0, limit: 10).map(\.type) == ["B1"])
            #expect(try await store.read(correlationId: "none", after: 0, limit: 10).isEmpty)
        }
    }

    @Test("a read event carries its metadata, time and chained hash")
    func recordedFields() async throws {
        try await SQLiteEventStore.withTemporary { store, _ in
            try await seed(store)
            let event = try #require(try await store.readAll(after: 0, limit: 1).first)
            #expect(event.eventMetadata == EventMetadata(source: "test", correlationId: "cmd-1"))
            #expect(event.hash.count == 32)
            #expect(event.recordedAt == ManualClock().now())
        }
    }
}
