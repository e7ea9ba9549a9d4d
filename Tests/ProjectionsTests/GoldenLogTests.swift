import Foundation
import Ledger
import LedgerTesting
import Projections
import TestPrerequisites
import Testing

/// The recorded logs under `Golden/` replay to exactly their expected projections, on every store.
///
/// To re-record after an intended change: `CHARGELEDGER_RECORD_GOLDEN=1 swift test --filter GoldenLogTests`,
/// then read the diff of `Golden/*.expected.json` before committing it.
@Suite("Golden event logs")
struct GoldenLogTests {
    static let sourceDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "Golden")
    static let recording = ProcessInfo.processInfo.environment["CHARGELEDGER_RECORD_GOLDEN"] == "1"

    static func golden(_ name: String, _ suffix: String) throws -> URL {
        let resources = try #require(Bundle.module.url(forResource: "Golden", withExtension: nil))
        return resources.appending(path: "\(name).\(suffix)")
    }

    static func dump(_ path: String) async throws -> JSONValue {
        try await SQLiteEventStore(path: path).closing { try await $0.projectionDump() }
    }

    @Test(
        "each golden log imports and replays to exactly its expected projections",
        arguments: StoreKind.available,
        Scenarios.all.map(\.name)
    )
    func goldenLog(kind: StoreKind, name: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        if Self.recording && kind == .sqlite { try await record(name, in: directory) }

        try await kind.withScratchLedger { ledger in
            let imported = try await CLI.ledger("import", try Self.golden(name, "ndjson").path(), "--db", ledger.db)
            #expect(imported.status == 0, "\(imported.stderr)")

            let expected = try JSONValue(parsing: Data(contentsOf: try Self.golden(name, "expected.json")))
            let actual = try await ledger.open(projections: false).closing { try await $0.projectionDump() }
            let identical = actual == expected
            if !identical { try actual.canonicalText.write(toFile: directory.path("actual.json"), atomically: true, encoding: .utf8) }
            #expect(identical, "\(kind): projections of \(name) differ from \(name).expected.json (see \(directory.path("actual.json")))")

            let replay = try await CLI.ledger("replay", "--db", ledger.db)
            #expect(replay.status == 0, "\(replay.stdout)")
            #expect(replay.stdout.hasPrefix("ok "))
            #expect(try await CLI.ledger("verify", "--db", ledger.db).status == 0)
        }
    }

    @Test(
        "a golden ledger copied with migrate-to has on PostgreSQL exactly the projections it has on SQLite",
        .needsPostgres
    )
    func migratedProjections() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sqlite = directory.path("dispute.sqlite")
        let imported = try await CLI.ledger("import", try Self.golden("dispute_two_authorizations_three_cdrs", "ndjson").path(), "--db", sqlite)
        #expect(imported.status == 0, "\(imported.stderr)")
        try await StoreKind.postgres.withScratchLedger { ledger in
            let copied = try await CLI.ledger("migrate-to", "--from", sqlite, "--to", ledger.db, "--batch", "5")
            #expect(copied.status == 0, "\(copied.stderr)")
            let original = try await Self.dump(sqlite)
            let copy = try await ledger.open(projections: false).closing { try await $0.projectionDump() }
            #expect(copy == original)
            let replay = try await CLI.ledger("replay", "--db", ledger.db)
            #expect(replay.status == 0 && replay.stdout.hasPrefix("ok "), "\(replay.stdout)")
        }
    }

    /// Writes the scenario through a live ledger and stores its log and projections as the golden pair.
    private func record(_ name: String, in directory: TemporaryDirectory) async throws {
        let writer = try ScenarioWriter(path: directory.path("recorded.sqlite"))
        try await Scenarios.all.first { $0.name == name }!.write(writer)
        await writer.close()
        let events = try await CLI.ledger("events", "--db", directory.path("recorded.sqlite"))
        try events.stdout.write(to: Self.sourceDirectory.appending(path: "\(name).ndjson"), atomically: true, encoding: .utf8)
        let dump = try await Self.dump(directory.path("recorded.sqlite"))
        let pretty = try JSONSerialization.data(
            withJSONObject: JSONSerialization.jsonObject(with: Data(dump.canonicalText.utf8)),
            options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        )
        try pretty.write(to: Self.sourceDirectory.appending(path: "\(name).expected.json"))
    }
}
