import Foundation
import Ledger
import LedgerTesting
import Testing

@Suite("Reading the log")
struct ReadTests {
    /// Three streams interleaved, two correlation ids.
    private func seed(_ store: any EventStore) async throws {
        _ = try await store.append([try Fixture.event("A1", correlationId: "cmd-1")], to: "command-1", expectedVersion: .noStream)
        _ = try await store.append([try Fixture.event("B1", correlationId: "cmd-2")], to: "command-2", expectedVersion: .noStream)
        _ = try await store.append([try Fixture.event("A2", correlationId: "cmd-1")], to: "command-1", expectedVersion: .exact(1))
        _ = try await store.append([try Fixture.event("S1", correlationId: "cmd-1")], to: "session-9", expectedVersion: .noStream)
        _ = try await store.append([try Fixture.event("B2")], to: "command-2", expectedVersion: .exact(1))
    }

    @Test("one stream in version order, from a version", arguments: StoreKind.available)
    func byStream(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            try await seed(store)
            #expect(try await store.readStream("command-1", fromVersion: 1, limit: 10).map(\.type) == ["A1", "A2"])
            #expect(try await store.readStream("command-2", fromVersion: 2, limit: 10).map(\.type) == ["B2"])
            #expect(try await store.readStream("nothing", fromVersion: 1, limit: 10).isEmpty)
        }
    }

    @Test("ids that differ only after a NUL are different ids (found by the OCPI fuzzer: they shared a row)", arguments: StoreKind.available)
    func embeddedNul(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            guard kind == .sqlite else {
                // PostgreSQL text cannot hold a NUL: such an id is refused, saying so, never cut short.
                await #expect(throws: EventStoreError.invalidEvent("a stream id with a NUL character cannot be stored in PostgreSQL text")) {
                    try await store.append([try Fixture.event()], to: "s\u{0}1", expectedVersion: .noStream)
                }
                return
            }
            _ = try await store.append([try Fixture.event()], to: "s\u{0}1", expectedVersion: .noStream)
            _ = try await store.append([try Fixture.event()], to: "s\u{0}2", expectedVersion: .noStream)
            #expect(try await store.readStream("s\u{0}2", fromVersion: 1, limit: 10).map(\.streamId) == ["s\u{0}2"])
            #expect(try await store.readStream("s", fromVersion: 1, limit: 10).isEmpty)
            #expect(try await store.verify().isClean)
        }
    }

    @Test("a replay's narrow read gives each event's position, time, type, version and data, as the whole read does", arguments: StoreKind.available)
    func payloadsMatchEvents(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            try await seed(store)
            let events = try await store.readAll(after: 1, limit: 3)
            #expect(events.count == 3)
            #expect(try await store.readPayloads(after: 1, limit: 3) == events.map(StoredPayload.init))
            #expect(try await store.readPayloads(after: 5, limit: 3).isEmpty)
        }
    }

    /// A page's payloads are read into one buffer that starts at 64 KiB and grows: every payload
    /// of a page past that (and one of a kilobyte, past Swift's small strings) reads as stored.
    @Test("a replay's narrow read of a page larger than its first buffer gives every payload as stored", arguments: StoreKind.available)
    func largePage(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            let events = try (0..<300).map { index in
                try Fixture.event(
                    "Large\(index % 7)",
                    data: ["index": "\(index)", "text": String(repeating: "é\u{1F600}\\\"", count: 1 + index % 97)]
                )
            }
            _ = try await store.append(events, to: "large", expectedVersion: .noStream)
            let all = try await store.readAll(after: 0, limit: 300)
            let payloads = try await store.readPayloads(after: 0, limit: 300)
            #expect(payloads.reduce(0) { $0 + $1.data.text.utf8.count } > 1 << 16)
            #expect(payloads == all.map(StoredPayload.init))
            #expect(payloads.map(\.data.text) == all.map(\.data.text))
        }
    }

    @Test("all events after a position, paged", arguments: StoreKind.available)
    func byPosition(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            try await seed(store)
            #expect(try await store.readAll(after: 0, limit: 2).map(\.position) == [1, 2])
            #expect(try await store.readAll(after: 2, limit: 2).map(\.position) == [3, 4])
            #expect(try await store.readAll(after: 4, limit: 2).map(\.position) == [5])
            #expect(try await store.readAll(after: 5, limit: 2).isEmpty)
        }
    }

    @Test("every event of one correlation id, across streams, in log order", arguments: StoreKind.available)
    func byCorrelation(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            try await seed(store)
            #expect(try await store.read(correlationId: "cmd-1", after: 0, limit: 10).map(\.type) == ["A1", "A2", "S1"])
            #expect(try await store.read(correlationId: "cmd-1", after: 3, limit: 10).map(\.type) == ["S1"])
            #expect(try await store.read(correlationId: "cmd-2", after: 0, limit: 10).map(\.type) == ["B1"])
            #expect(try await store.read(correlationId: "none", after: 0, limit: 10).isEmpty)
        }
    }

    @Test("a read event carries its metadata, time and chained hash", arguments: StoreKind.available)
    func recordedFields(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            try await seed(store)
            let event = try #require(try await store.readAll(after: 0, limit: 1).first)
            #expect(event.eventMetadata == EventMetadata(source: "test", correlationId: "cmd-1"))
            #expect(event.hash.count == 32)
            #expect(event.recordedAt == ManualClock().now())
        }
    }
}

@Suite("Event ids")
struct EventIdParsingTests {
    @Test(
        "the store's UUID parser agrees with Foundation's",
        arguments: [
            "E621E1F8-C36C-495A-93FC-0C247A3E6E5F", "e621e1f8-c36c-495a-93fc-0c247a3e6e5f", "00000000-0000-0000-0000-000000000000",
            "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "e621e1f8c36c495a93fc0c247a3e6e5f", "e621e1f8-c36c-495a-93fc-0c247a3e6e5",
            "e621e1f8-c36c-495a-93fc-0c247a3e6e5g",
            "e621e1f8-c36c-495a-93fc_0c247a3e6e5f", "", "e621e1f8-c36c-495a-93fc-0c247a3e6e5f0",
        ]
    )
    func agreesWithFoundation(text: String) throws {
        let line =
            #"{"data":{},"event_id":"\#(text)","metadata":{"source":"test"},"position":1,"recorded_at":"2026-01-01T00:00:00.000Z","schema_version":1,"stream_id":"s","stream_version":1,"type":"T"}"#
        let parsed = try? EventLine.decode(Array(line.utf8))
        #expect(parsed?.request.events.first?.eventId == UUID(uuidString: text))
    }
}
