import Foundation
import Ledger
import LedgerTesting
import PostgresStore
import Testing

@Suite("Append-only and tamper-evident")
struct TamperEvidenceTests {
    private func ledgerWithEvents(_ count: Int, in directory: TemporaryDirectory) async throws -> String {
        let path = directory.path("ledger.sqlite")
        let store = try SQLiteEventStore(path: path, clock: ManualClock())
        for index in 0..<count {
            _ = try await store.append([try Fixture.event(data: ["n": "\(index)"])], to: "s\(index % 3)", expectedVersion: .any)
        }
        await store.close()
        return path
    }

    @Test(
        "UPDATE and DELETE on events are refused by SQLite itself",
        arguments: [
            "UPDATE events SET data = '{}' WHERE position = 2",
            "UPDATE events SET hash = zeroblob(32)",
            "DELETE FROM events WHERE position = 3",
            "DELETE FROM events",
        ]
    )
    func rawWritesRefused(sql: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await ledgerWithEvents(5, in: directory)
        let raw = try RawDatabase(path: path)
        #expect(throws: RawDatabaseError.self) { try raw.execute(sql) }
        #expect(try raw.scalar("SELECT count(*) FROM events") == "5")
    }

    @Test("UPDATE, DELETE and TRUNCATE on events are refused by the database itself, on every store", arguments: StoreKind.available)
    func databaseRefusesEdits(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            for index in 0..<5 { _ = try await store.append([try Fixture.event(data: ["n": "\(index)"])], to: "s", expectedVersion: .any) }
            let edits = ["UPDATE events SET data = '{}' WHERE position = 2", "DELETE FROM events WHERE position = 3", "DELETE FROM events"]
            for sql in edits + (kind == .postgres ? ["TRUNCATE events"] : []) {
                switch store {
                case let store as SQLiteEventStore:
                    #expect(throws: RawDatabaseError.self, "\(sql)") { try RawDatabase(path: store.path).execute(sql) }
                case let store as PostgresEventStore:
                    await #expect(throws: (any Error).self, "\(sql)") { try await PostgresScratch.administer(store.location, sql) }
                default:
                    Issue.record("no raw access to \(type(of: store))")
                }
            }
            #expect(try await store.headPosition() == 5)
            let report = try await store.verify()
            #expect(report.isClean && report.eventCount == 5, "\(report.problems)")
        }
    }

    @Test("verify is clean on an untouched ledger")
    func cleanLedger() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await ledgerWithEvents(7, in: directory)
        let result = try await ChildProcess.ledger("verify", "--db", path)
        #expect(result.status == 0)
        #expect(result.stdout == "ok 7 events\n")
    }

    @Test("a row edited behind the store's back (trigger dropped) is named by position")
    func editedRowIsNamed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await ledgerWithEvents(6, in: directory)
        let raw = try RawDatabase(path: path)
        try raw.execute("DROP TRIGGER events_are_append_only_update")
        try raw.execute(#"UPDATE events SET data = '{"n":"999"}' WHERE position = 4"#)

        let result = try await ChildProcess.ledger("verify", "--db", path)
        #expect(result.status == 1)
        #expect(result.stdout.contains("position 4: hash does not match"))
        #expect(result.stdout.contains("events_are_append_only_update is missing"))
        #expect(!result.stdout.contains("position 5"))
    }

    @Test("a missing event (gap in positions) and a broken stream version are both found")
    func gapsAreFound() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await ledgerWithEvents(6, in: directory)
        let raw = try RawDatabase(path: path)
        try raw.execute("DROP TRIGGER events_are_append_only_delete")
        try raw.execute("DELETE FROM events WHERE position = 5")
        let store = try SQLiteEventStore(path: path)
        let report = try await store.verify()
        await store.close()
        #expect(report.firstPositionGap == 6)
        #expect(report.firstBrokenHash == 6)
        #expect(report.triggerProblems.contains { $0.contains("events_are_append_only_delete is missing") })
        #expect(report.triggerProblems.contains { $0.contains("DELETE on events was not refused") })
        #expect(!report.isClean)
    }

    @Test("a stream version gap is found even when the chain was rebuilt to match")
    func versionGapFound() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await ledgerWithEvents(2, in: directory)
        let store = try SQLiteEventStore(path: path)
        // An import keeps versions as given; a forged later version is the kind of gap verify must see.
        let forged = NewEvent(
            eventId: UUID(),
            type: "T",
            schemaVersion: 1,
            data: .emptyObject,
            rawMetadata: .emptyObject,
            recordedAt: nil
        )
        _ = try await store.append([forged], to: "s0", expectedVersion: .exact(1))
        let raw = try RawDatabase(path: path)
        try raw.execute("DROP TRIGGER events_are_append_only_update")
        try raw.execute("UPDATE events SET stream_version = 5 WHERE position = 3")
        let report = try await store.verify()
        await store.close()
        #expect(report.firstStreamVersionGap == 3)
    }
}
