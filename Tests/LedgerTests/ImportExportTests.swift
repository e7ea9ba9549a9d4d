import Foundation
import Ledger
import LedgerTesting
import Testing

@Suite("events → import → events")
struct ImportExportTests {
    /// A small but varied log: several streams, correlation ids, unicode, nested data, times apart.
    private func sourceLedger(in directory: TemporaryDirectory) async throws -> String {
        let path = directory.path("source.sqlite")
        let clock = ManualClock()
        let store = try SQLiteEventStore(path: path, clock: clock)
        for index in 0..<20 {
            clock.advance(milliseconds: 1_234)
            let data = try CanonicalJSON(
                parsing: #"{"i":\#(index),"kwh":12.340,"name":"Bornes \"Öst\" № \#(index)","nested":{"z":[1,2,{"a":null}]}}"#
            )
            let event = try NewEvent(
                type: index % 2 == 0 ? "CommandReceived" : "CommandAnswered",
                data: data,
                metadata: EventMetadata(source: "ocpi", correlationId: "cmd-\(index / 2)")
            )
            _ = try await store.append([event], to: "command-\(index / 2)", expectedVersion: .any)
        }
        await store.close()
        return path
    }

    /// Drops `position` and `hash`, which a new ledger assigns anew.
    private func withoutPositionAndHash(_ ndjson: String) -> [String] {
        ndjson.split(separator: "\n").map { line in
            var text = String(line)
            text = text.replacingOccurrences(of: #"^\{"position":\d+,"#, with: "{", options: .regularExpression)
            return text.replacingOccurrences(of: #","hash":"[0-9a-f]{64}"\}$"#, with: "}", options: .regularExpression)
        }
    }

    @Test("an exported log imports into a new ledger and exports again byte for byte (bar positions and hashes)")
    func roundTrip() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try await sourceLedger(in: directory)
        let first = try await ChildProcess.ledger("events", "--db", source)
        #expect(first.status == 0)
        let file = directory.path("log.ndjson")
        try first.stdout.write(toFile: file, atomically: true, encoding: .utf8)

        let imported = try await ChildProcess.ledger("import", "--log-only", file, "--db", directory.path("copy.sqlite"))
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("imported 20 events"))
        let second = try await ChildProcess.ledger("events", "--db", directory.path("copy.sqlite"))
        #expect(withoutPositionAndHash(second.stdout) == withoutPositionAndHash(first.stdout))
        #expect(second.stdout.split(separator: "\n").count == 20)
        #expect(try await ChildProcess.ledger("verify", "--db", directory.path("copy.sqlite")).stdout == "ok 20 events\n")

        let again = try await ChildProcess.ledger("import", "--log-only", file, "--db", directory.path("copy.sqlite"))
        #expect(again.status == 0)
        #expect(again.stdout.contains("imported 0 events (20 already stored)"))
    }

    @Test("a page from the middle of a log (after N) imports into a new ledger", arguments: [5, 13])
    func pageImport(after: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try await sourceLedger(in: directory)
        // A page cut mid-stream cannot start a new ledger (its streams begin above version 1)…
        let page = try await ChildProcess.ledger("events", "--db", source, "--after", "\(after)", "--limit", "4")
        let file = directory.path("page.ndjson")
        try page.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await ChildProcess.ledger("import", "--log-only", file, "--db", directory.path("copy.sqlite"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 1:"))
        #expect(result.stderr.contains("does not exist"))
        // …and nothing of it was written.
        #expect(try await ChildProcess.ledger("events", "--db", directory.path("copy.sqlite")).stdout.isEmpty)
    }

    @Test(
        "a file with a gap, a conflicting id or a bad line is refused whole, naming the line",
        arguments: [
            "position gap", "version gap", "conflicting id", "not json", "missing field",
        ]
    )
    func refusedFiles(defect: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = try await sourceLedger(in: directory)
        var lines = try await ChildProcess.ledger("events", "--db", source).stdout.split(separator: "\n").map(String.init)
        let target = directory.path("target.sqlite")
        switch defect {
        case "position gap":
            lines.remove(at: 6)
        case "version gap":
            // Line 8 (command-3 v2) claims version 3.
            lines[7] = lines[7].replacingOccurrences(of: #""stream_version":2"#, with: #""stream_version":3"#)
        case "conflicting id":
            // The target already holds event 8's id with other content.
            let store = try SQLiteEventStore(path: target)
            let match = try #require(lines[7].firstMatch(of: /"event_id":"([0-9a-f-]+)"/))
            let id = try #require(UUID(uuidString: String(match.1)))
            _ = try await store.append([try Fixture.event(id: id)], to: "elsewhere", expectedVersion: .any)
            await store.close()
        case "not json":
            lines[7] = "{\"position\": 8, oops"
        default:
            lines[7] = lines[7].replacingOccurrences(of: #""type":"CommandAnswered","#, with: "")
        }
        let file = directory.path("bad.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let before = try await ChildProcess.ledger("events", "--db", target).stdout

        let result = try await ChildProcess.ledger("import", "--log-only", file, "--db", target)
        #expect(result.status == 1)
        #expect(result.stderr.contains(defect == "position gap" ? "line 7:" : "line 8:"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was imported"))
        #expect(try await ChildProcess.ledger("events", "--db", target).stdout == before)
    }
}
