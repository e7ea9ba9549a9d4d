import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

@Suite("Database files")
struct DatabaseFileTests {
    @Test("`import` creates and migrates a --db that does not exist")
    func createdOnFirstUse() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("new.sqlite")
        try Data().write(to: URL(fileURLWithPath: directory.path("empty.ndjson")))
        let result = try await ChildProcess.ledger("import", directory.path("empty.ndjson"), "--db", path)
        #expect(result.status == 0, "\(result.stderr)")
        let raw = try RawDatabase(path: path)
        #expect(try raw.scalar("SELECT name FROM schema_migrations WHERE version = 1") == "0001_events")
        #expect(try raw.scalar("PRAGMA journal_mode") == "wal")
    }

    /// A mistyped --db once printed "ok 0 events" and left a new, empty ledger behind.
    @Test(
        "the commands that read refuse a --db that does not exist: exit 2, one line naming it, no file made",
        arguments: [["events"], ["verify"], ["replay"], ["cdrs"], ["audit", "some-authorization"]]
    )
    func missingLedgerRefused(command: [String]) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("typo.sqlite")
        let result = try await ChildProcess.run("ledger", command + ["--db", path], executable: BuiltProduct.url("ledger"))
        #expect(result.status == 2, "\(command): \(result.stderr)")
        #expect(
            result.stderr
                == "error: there is no ledger at \(path): give its path with --db (or LEDGER_DB); only `ledger serve` and `ledger import` create one\n"
        )
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("")).isEmpty)
    }

    @Test("`import` of a file that does not exist is refused (exit 1) before any ledger is made")
    func importOfMissingFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await ChildProcess.ledger("import", directory.path("no-such.ndjson"), "--db", directory.path("new.sqlite"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("no-such.ndjson does not exist or cannot be read; nothing was imported"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path("")).isEmpty)
    }

    @Test("a ledger SQLite cannot open is named in the error: exit 2")
    func unopenableLedgerNamed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A directory where the file should be: it exists, and SQLite cannot open it.
        let path = directory.path("ledger.sqlite")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try await ChildProcess.ledger("verify", "--db", path)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: the ledger \(path) cannot be opened: SQLite error"), "\(result.stderr)")
    }

    @Test("a negative --after is the option's own message, exit 64 (usage), not \"Missing value\"", arguments: ["events", "cdrs"])
    func negativeCursor(command: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = try await ChildProcess.ledger(command, "--after", "-1", "--db", directory.path("ledger.sqlite"))
        #expect(result.status == 64)
        #expect(result.stderr.contains("--after must be 0 or more"), "\(result.stderr)")
    }

    @Test(
        "a file that is not a ledger gets a one-line error, exit code 2, and is left untouched",
        arguments: [
            "text", "random", "truncated sqlite", "corrupt pages",
        ]
    )
    func unusableFileUntouched(kind: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("bad.sqlite")
        let contents: Data
        switch kind {
        case "text":
            contents = Data("position,stream\n1,a\n".utf8)
        case "random":
            contents = Data((0..<8192).map { _ in UInt8.random(in: 0...255) })
        case "truncated sqlite":
            contents = Data("SQLite format 3\0".utf8) + Data(repeating: 0xFF, count: 100)
        default:
            // A real ledger whose pages after the header were overwritten.
            let real = directory.path("real.sqlite")
            let store = try SQLiteEventStore(path: real)
            _ = try await store.append([try Fixture.event()], to: "s", expectedVersion: .any)
            await store.close()
            var bytes = try Data(contentsOf: URL(fileURLWithPath: real))
            bytes.replaceSubrange(100..<min(bytes.count, 8192), with: Data(repeating: 0x5A, count: min(bytes.count, 8192) - 100))
            contents = bytes
        }
        try contents.write(to: URL(fileURLWithPath: path))

        for command in ["events", "verify", "import"] {
            let arguments = command == "import" ? ["import", "/dev/null", "--db", path] : [command, "--db", path]
            let result = try await ChildProcess.run("ledger", arguments, executable: BuiltProduct.url("ledger"))
            #expect(result.status == 2, "\(command): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: "))
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == contents)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test("opening a ledger whose applied migration has since changed is refused with a clear error")
    func changedMigrationRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("ledger.sqlite")
        let store = try SQLiteEventStore(path: path)
        await store.close()
        let raw = try RawDatabase(path: path)
        try raw.execute("UPDATE schema_migrations SET checksum = 'abc123' WHERE version = 1")

        #expect {
            try SQLiteEventStore(path: path)
        } throws: { error in
            guard case EventStoreError.migrationChanged(name: "0001_events", storedChecksum: "abc123", _) = error else { return false }
            return true
        }
        let result = try await ChildProcess.ledger("verify", "--db", path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("migration 0001_events was applied with checksum abc123"))
    }

    @Test("a ledger migrated by a newer binary is refused by every ledger command; the log alone lets other schemas' migrations be")
    func newerDatabaseRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("ledger.sqlite")
        let store = try SQLiteEventStore(path: path, readModels: ProjectionEngine())
        await store.close()
        try RawDatabase(path: path).execute(
            "INSERT INTO schema_migrations VALUES (9999, '9999_future', 'x', '2030-01-01T00:00:00.000Z')"
        )
        for folding in [true, false] {
            #expect(throws: EventStoreError.unknownMigration(version: 9999, name: "9999_future")) {
                try SQLiteEventStore(path: path, readModels: ProjectionEngine(), folding: folding)
            }
        }
        let verify = try await ChildProcess.ledger("verify", "--db", path)
        #expect(verify.status == 2 && verify.stderr.contains("9999_future"), "\(verify.stderr)")
        // Without read models a store knows only the log's migrations: 0002–0005 are not its own either.
        try await SQLiteEventStore(path: path).closing { _ in }
    }

    @Test("reopening keeps chaining where the last run stopped")
    func reopenContinuesChain() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("ledger.sqlite")
        for round in 0..<3 {
            let store = try SQLiteEventStore(path: path)
            _ = try await store.append([try Fixture.event()], to: "s", expectedVersion: .exact(Int64(round)))
            await store.close()
        }
        let store = try SQLiteEventStore(path: path)
        let report = try await store.verify()
        await store.close()
        #expect(report.isClean && report.eventCount == 3)
    }

    /// Regression: a cached statement left mid-result kept its snapshot, so reads went stale and
    /// the next BEGIN IMMEDIATE failed with SQLITE_BUSY_SNAPSHOT once another process had written.
    @Test("two stores on one file (serve and a CLI import) see and chain onto each other's appends")
    func twoWritersOneFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("ledger.sqlite")
        let serve = try SQLiteEventStore(path: path)
        let cli = try SQLiteEventStore(path: path)
        for round in 0..<3 {
            _ = try await serve.append([try Fixture.event("Serve")], to: "serve", expectedVersion: .any)
            #expect(try await serve.headPosition() == Int64(round * 2 + 1))
            _ = try await cli.append([try Fixture.event("Cli")], to: "cli", expectedVersion: .any)
            #expect(try await serve.headPosition() == Int64(round * 2 + 2))
            #expect(try await serve.readAll(after: 0, limit: 100).count == round * 2 + 2)
        }
        let report = try await serve.verify()
        await serve.close()
        await cli.close()
        #expect(report.isClean && report.eventCount == 6, "\(report.problems)")
    }
}
