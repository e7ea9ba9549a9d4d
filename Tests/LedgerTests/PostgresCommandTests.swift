import Foundation
import Ledger
import LedgerTesting
import PostgresStore
import TestPrerequisites
import Testing

/// The `ledger` commands on a PostgreSQL `--db`, and `ledger migrate-to`, through the real binary.
@Suite("PostgreSQL from the command line", .needsPostgres)
struct PostgresCommandTests {
    /// A SQLite ledger of `count` events over a few streams, times apart.
    private func sqliteLedger(_ path: String, events count: Int, startingAt first: Int = 0) async throws {
        let clock = ManualClock()
        clock.advance(milliseconds: Int64(first) * 1_500)
        let store = try SQLiteEventStore(path: path, clock: clock)
        for index in first..<(first + count) {
            clock.advance(milliseconds: 1_500)
            _ = try await store.append(
                [try Fixture.event(data: ["n": "\(index)", "kwh": "1\(index).5"], correlationId: "c\(index % 4)")],
                to: "stream-\(index % 3)",
                expectedVersion: .any
            )
        }
        await store.close()
    }

    /// `ledger verify` on `url` prints `ok <events> events` (and says what it printed otherwise).
    private func expectVerified(_ url: String, events: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let verify = try await ChildProcess.ledger("verify", "--db", url)
        #expect(verify.stdout == "ok \(events) events\n", "\(verify.stdout)\(verify.stderr)", sourceLocation: sourceLocation)
    }

    @Test("migrate-to copies a SQLite ledger into PostgreSQL: the same log byte for byte, hashes included; run again, it resumes")
    func migrateTo() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = directory.path("source.sqlite")
        try await sqliteLedger(source, events: 25)
        try await PostgresScratch.withDatabase { location in
            let target = location.connectionURL
            let copied = try await ChildProcess.ledger("migrate-to", "--log-only", "--from", source, "--to", target, "--batch", "7")
            #expect(copied.status == 0, "\(copied.stderr)")
            #expect(copied.stdout.hasPrefix("copied 25 events to \(location) (0 were already there); both verify"))
            #expect(!copied.stdout.contains(":ledger@"))  // the password is never printed
            let original = try await ChildProcess.ledger("events", "--db", source)
            let copy = try await ChildProcess.ledger("events", "--db", target)
            #expect(copy.status == 0 && copy.stdout == original.stdout && !copy.stdout.isEmpty)
            try await expectVerified(target, events: 25)

            // The source grew; the copy picks up where it stopped.
            try await sqliteLedger(source, events: 5, startingAt: 25)
            let resumed = try await ChildProcess.ledger("migrate-to", "--log-only", "--from", source, "--to", target)
            #expect(resumed.stdout.hasPrefix("copied 5 events to \(location) (25 were already there)"), "\(resumed.stderr)")
            #expect(
                try await ChildProcess.ledger("events", "--db", target).stdout == (try await ChildProcess.ledger("events", "--db", source)).stdout
            )
        }
    }

    @Test("migrate-to refuses a target that holds another log, and a source that does not verify, writing nothing")
    func migrateToRefusals() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = directory.path("source.sqlite")
        let other = directory.path("other.sqlite")
        try await sqliteLedger(source, events: 6)
        try await sqliteLedger(other, events: 3, startingAt: 100)
        try await PostgresScratch.withDatabase { location in
            #expect(try await ChildProcess.ledger("migrate-to", "--log-only", "--from", other, "--to", location.connectionURL).status == 0)
            let refused = try await ChildProcess.ledger("migrate-to", "--log-only", "--from", source, "--to", location.connectionURL)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("already holds 3 events that are not the start of"), "\(refused.stderr)")
            try await expectVerified(location.connectionURL, events: 3)
        }
        let raw = try RawDatabase(path: source)
        try raw.execute("DROP TRIGGER events_are_append_only_update")
        try raw.execute("UPDATE events SET data = '{\"n\":\"forged\"}' WHERE position = 4")
        try await PostgresScratch.withDatabase { location in
            let refused = try await ChildProcess.ledger("migrate-to", "--log-only", "--from", source, "--to", location.connectionURL)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("does not verify, so it is not copied: position 4"), "\(refused.stderr)")
            try await expectVerified(location.connectionURL, events: 0)
        }
    }

    @Test("a log imports into PostgreSQL as into SQLite: whole from the start, refused from mid-stream", arguments: [0, 9])
    func importIntoPostgres(after: Int) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = directory.path("source.sqlite")
        try await sqliteLedger(source, events: 12)
        let file = directory.path("log.ndjson")
        try (try await ChildProcess.ledger("events", "--db", source, "--after", "\(after)").stdout).write(
            toFile: file,
            atomically: true,
            encoding: .utf8
        )
        try await PostgresScratch.withDatabase { location in
            let imported = try await ChildProcess.ledger("import", "--log-only", file, "--db", location.connectionURL)
            guard after == 0 else {
                // As on SQLite: a page cut mid-stream cannot start a new ledger, and nothing of it is written.
                #expect(
                    imported.status == 1 && imported.stderr.contains("line 1:") && imported.stderr.contains("does not exist"),
                    "\(imported.stderr)"
                )
                try await expectVerified(location.connectionURL, events: 0)
                return
            }
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout.hasPrefix("imported \(12 - after) events (0 already stored)"))
            try await expectVerified(location.connectionURL, events: 12 - after)
            let again = try await ChildProcess.ledger("import", "--log-only", file, "--db", location.connectionURL)
            #expect(again.stdout.hasPrefix("imported 0 events (\(12 - after) already stored)"), "\(again.stderr)")
        }
    }

    @Test("an audit that finds nothing on PostgreSQL names the database without its password")
    func auditNamesDatabaseRedacted() async throws {
        try await PostgresScratch.withDatabase { location in
            let result = try await ChildProcess.ledger("audit", "never-seen", "--db", location.connectionURL)
            #expect(result.status == 1)
            #expect(result.stderr.contains("no event in \(location) carries authorization_id never-seen"), "\(result.stderr)")
            #expect(!result.stderr.contains(":ledger@"))
        }
    }

    @Test(
        "an unreachable or malformed PostgreSQL --db gets a one-line error without the password, exit 2",
        arguments: [
            "postgres://ledger:secret-pw@127.0.0.1:1/nowhere", "postgres://ledger:secret-pw@127.0.0.1:5432", "postgres://127.0.0.1/x",
        ]
    )
    func unusableURL(url: String) async throws {
        let result = try await ChildProcess.ledger("verify", "--db", url)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: ") && !result.stderr.contains("secret-pw"), "\(result.stderr)")
    }

    /// What an operator types wrong most: each failure is one sentence saying what to do, never the password.
    @Test("a wrong password, a missing database, a URL without password, no server: each one sentence saying what to do, exit 2")
    func connectionAdvice() async throws {
        let server = try PostgresLocation(url: try #require(ProcessInfo.processInfo.environment["CHARGELEDGER_POSTGRES_URL"]))
        let base = "\(server.username)@\(server.host):\(server.port)"
        let cases: [(url: String, says: String)] = [
            (
                "postgres://\(server.username):not-the-password@\(server.host):\(server.port)/\(server.database)",
                "the server refused the password of user \(server.username): check the password in the URL"
            ),
            (
                server.with(database: "no_such_ledger").connectionURL,
                "database no_such_ledger does not exist on the server: create it (createdb -O \(server.username) no_such_ledger) or fix the URL"
            ),
            ("postgres://\(base)/\(server.database)", "the server asks for a password and the URL has none"),
            (
                "postgres://\(server.username):not-the-password@127.0.0.1:1/\(server.database)",
                "cannot reach a PostgreSQL server at 127.0.0.1:1"
            ),
        ]
        for (url, says) in cases {
            let result = try await ChildProcess.ledger("verify", "--db", url)
            #expect(result.status == 2, "\(url): \(result.stderr)")
            #expect(result.stderr.contains(says), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && !result.stderr.contains("not-the-password"), "\(result.stderr)")
        }
    }
}
