import ArgumentParser
import Foundation
import Ledger
import LedgerTesting
import PostgresStore
import Projections

/// The same loads on PostgreSQL and on SQLite, in the same run: appends from one task and from
/// many (group commit), reading the whole log back by position as billing does, charges appended
/// with the projections kept in the same transactions, and `ledger replay`'s rebuild of every
/// projection from that log.
/// SQLite (the embedded default, `synchronous=FULL`) is the baseline; PostgreSQL runs on a fresh
/// database of the server `--postgres` names, dropped afterwards.
struct StoresBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stores",
        abstract: "Append and read throughput: PostgreSQL vs SQLite, same loads, same run."
    )

    @Option(
        help: ArgumentHelp(
            "A PostgreSQL server the benchmark may create a database on (CHARGELEDGER_POSTGRES_URL).",
            valueName: "postgres://user:password@host:5432/database"
        )
    )
    var postgres: String = ProcessInfo.processInfo.environment["CHARGELEDGER_POSTGRES_URL"] ?? ""

    @Option(help: "Events appended by one task, one per append.")
    var singleEvents = 2_000

    @Option(help: "Events appended by the concurrent tasks; then read back.")
    var concurrentEvents = 100_000

    @Option(help: "Concurrent appending tasks.")
    var tasks = 64

    @Option(help: "Charges (19 events each: commands, deliveries, session, CDR) appended with projections by the concurrent tasks; then replayed.")
    var charges = 2_000

    func run() async throws {
        guard !postgres.isEmpty else { throw ValidationError("--postgres (or CHARGELEDGER_POSTGRES_URL) must name a PostgreSQL server") }
        let server = try PostgresLocation(url: postgres)
        let directory = try BenchmarkDirectory("stores")
        defer { directory.remove() }
        print("stores benchmark: \(ProcessInfo.processInfo.activeProcessorCount) cores; SQLite in \(directory.url.path()); PostgreSQL at \(server)")

        let sqlite = try await measure(directory) { name, projections, body in
            try await SQLiteEventStore(path: directory.path("ledger-\(name).sqlite"), readModels: projections).closing(after: body)
        }
        let postgreSQL = try await measure(directory) { _, projections, body in
            try await PostgresScratch.withDatabase(on: server) {
                try await PostgresEventStore.open(location: $0, readModels: projections).closing(after: body)
            }
        }
        let stages = [
            "(a) single task, 1 event/append", "(b) \(tasks) tasks, 1 event/append", "(c) read all by position",
            "(d) \(tasks) tasks, charges with projections", "(e) replay: rebuild every projection from the log",
        ]
        for (index, name) in stages.enumerated() {
            print(
                "\(name): PostgreSQL \(Int(postgreSQL[index])) events/s, SQLite \(Int(sqlite[index])) events/s, "
                    + "ratio \(String(format: "%.2f", postgreSQL[index] / sqlite[index]))"
            )
        }
    }

    /// Runs a body on a fresh, empty ledger of one store, named for the stage, with or without projections.
    typealias WithStore = (String, ProjectionEngine?, (any VerifiableEventStore) async throws -> [Double]) async throws -> [Double]

    /// The five rates, each group of stages on a ledger of its own.
    private func measure(_ directory: BenchmarkDirectory, _ withStore: WithStore) async throws -> [Double] {
        let single = try await withStore("single", nil) { [try await AppendLoad(events: singleEvents, tasks: 1).rate(on: $0)] }
        let concurrent = try await withStore("concurrent", nil) { store in
            let appendRate = try await AppendLoad(events: concurrentEvents, tasks: tasks).rate(on: store)
            let start = ContinuousClock.now
            var cursor: Int64 = 0
            while let last = try await store.readAll(after: cursor, limit: 8192).last { cursor = last.position }
            return [appendRate, Double(cursor) / (ContinuousClock.now - start).seconds]
        }
        let projected = try await withStore("projected", ProjectionEngine()) { store in
            let appendRate = try await chargesRate(on: store)
            let scratch = try Database.open(path: directory.path("replay-\(UUID().uuidString).sqlite"), readModels: ProjectionEngine())
            let start = ContinuousClock.now
            let rebuild = try ProjectionRebuild(into: scratch)
            let replayed = try await rebuild.run(from: store)
            try rebuild.finish()
            return [appendRate, Double(replayed) / (ContinuousClock.now - start).seconds]
        }
        return single + concurrent + projected
    }

    /// Events per second of `charges` charges appended by `tasks` tasks, a request per stream.
    private func chargesRate(on store: any VerifiableEventStore) async throws -> Double {
        var log = GeneratedLog()
        // Built before the clock starts; each task appends its own charges, in order.
        var shares = [[AppendRequest]](repeating: [], count: tasks)
        for charge in 0..<charges { shares[charge % tasks] += try log.nextCharges(1) }
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for share in shares {
                group.addTask { for request in share { _ = try await store.append(request) } }
            }
            try await group.waitForAll()
        }
        return Double(log.count) / (ContinuousClock.now - start).seconds
    }
}
