import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

/// The recorded logs under `Golden/` replay to exactly their expected projections.
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
        let store = try SQLiteEventStore(path: path)
        let dump = try await store.withReadDatabase { try ProjectionDump.json($0) }
        await store.close()
        return dump
    }

    @Test("each golden log imports and replays to exactly its expected projections", arguments: Scenarios.all.map(\.name))
    func goldenLog(name: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        if Self.recording { try await record(name, in: directory) }

        let log = try Self.golden(name, "ndjson")
        let ledger = directory.path("replayed.sqlite")
        let imported = try await CLI.ledger("import", log.path(), "--db", ledger)
        #expect(imported.status == 0, "\(imported.stderr)")

        let expected = try JSONValue(parsing: Data(contentsOf: try Self.golden(name, "expected.json")))
        let actual = try await Self.dump(ledger)
        let identical = actual == expected
        if !identical { try actual.canonicalText.write(toFile: directory.path("actual.json"), atomically: true, encoding: .utf8) }
        #expect(identical, "projections of \(name) differ from \(name).expected.json")

        let replay = try await CLI.ledger("replay", "--db", ledger)
        #expect(replay.status == 0, "\(replay.stdout)")
        #expect(replay.stdout.hasPrefix("ok "))
        #expect(try await CLI.ledger("verify", "--db", ledger).status == 0)
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
            options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try pretty.write(to: Self.sourceDirectory.appending(path: "\(name).expected.json"))
    }
}
