import ArgumentParser
import Foundation
import Ledger
import LedgerTesting
import PostgresStore

/// The same loads on PostgreSQL and on SQLite, in the same run: appends from one task and from
/// many (group commit), and reading the whole log back by position as replay and billing do.
/// SQLite (the embedded default, `synchronous=FULL`) is the baseline; PostgreSQL runs on a fresh
/// database of the server `--postgres` names, dropped afterwards.
struct StoresBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stores",
        abstract: "Append and read throughput: PostgreSQL vs SQLite, same loads, same run.")

    @Option(help: ArgumentHelp("A PostgreSQL server the benchmark may create a database on (CHARGELEDGER_POSTGRES_URL).",
                               valueName: "postgres://user:password@host:5432/database"))
    var postgres: String = ProcessInfo.processInfo.environment["CHARGELEDGER_POSTGRES_URL"] ?? ""

    @Option(help: "Events appended by one task, one per append.")
    var singleEvents = 2_000

    @Option(help: "Events appended by the concurrent tasks; then read back.")
    var concurrentEvents = 100_000

    @Option(help: "Concurrent appending tasks.")
    var tasks = 64

    func run() async throws {
        guard !postgres.isEmpty else { throw ValidationError("--postgres (or CHARGELEDGER_POSTGRES_URL) must name a PostgreSQL server") }
        let server = try PostgresLocation(url: postgres)
        let directory = try BenchmarkDirectory("stores")
        defer { directory.remove() }
        print("stores benchmark: \(ProcessInfo.processInfo.activeProcessorCount) cores; SQLite in \(directory.url.path()); PostgreSQL at \(server)")

        let sqlite = try await measure { name, body in
            try await SQLiteEventStore(path: directory.path("ledger-\(name).sqlite")).closing(after: body)
        }
        let postgreSQL = try await measure { _, body in
            try await PostgresScratch.withDatabase(on: server) { try await PostgresEventStore.open(location: $0).closing(after: body) }
        }
        for (name, index) in [("(a) single task, 1 event/append", 0), ("(b) \(tasks) tasks, 1 event/append", 1), ("(c) read all by position", 2)] {
            print("\(name): PostgreSQL \(Int(postgreSQL[index])) events/s, SQLite \(Int(sqlite[index])) events/s, "
                  + "ratio \(String(format: "%.2f", postgreSQL[index] / sqlite[index]))")
        }
    }

    /// Runs a body on a fresh, empty ledger of one store, named for the stage.
    typealias WithStore = (String, (any VerifiableEventStore) async throws -> [Double]) async throws -> [Double]

    /// The three rates, each stage on a ledger of its own.
    private func measure(_ withStore: WithStore) async throws -> [Double] {
        let single = try await withStore("single") { [try await AppendLoad(events: singleEvents, tasks: 1).rate(on: $0)] }
        let concurrent = try await withStore("concurrent") { store in
            let appendRate = try await AppendLoad(events: concurrentEvents, tasks: tasks).rate(on: store)
            let start = ContinuousClock.now
            var cursor: Int64 = 0
            while let last = try await store.readAll(after: cursor, limit: 8192).last { cursor = last.position }
            return [appendRate, Double(cursor) / (ContinuousClock.now - start).seconds]
        }
        return single + concurrent
    }
}
