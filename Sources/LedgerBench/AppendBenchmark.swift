import ArgumentParser
import Foundation
import Ledger

/// Append throughput of the ledger against raw SQLite inserts of the same rows, same run.
///
/// (a) one task, one event per append — vs raw: one transaction per insert;
/// (b) `tasks` concurrent tasks, one event per append (group commit) — vs raw: transactions of
///     `tasks` rows, the best batching group commit could reach.
struct AppendBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append throughput: ledger vs raw SQLite, single task and concurrent tasks."
    )

    @Option(help: "Events for the single-task runs.")
    var singleEvents = 3_000

    @Option(help: "Events for the concurrent runs.")
    var concurrentEvents = 100_000

    @Option(help: "Concurrent appending tasks.")
    var tasks = 64

    @Option(help: "full (fsync every commit, the default) or normal.")
    var durability: String = "full"

    func run() async throws {
        guard let level = SQLiteEventStore.Configuration.Durability(rawValue: durability) else {
            throw ValidationError("--durability must be full or normal")
        }
        let directory = try BenchmarkDirectory("append")
        defer { directory.remove() }
        print(
            "append benchmark: durability=\(level.rawValue), \(ProcessInfo.processInfo.activeProcessorCount) cores, SQLite in \(directory.url.path())"
        )

        let rawSingle = try await rawRate(events: singleEvents, streams: 1, batch: 1, level: level, in: directory)
        let ledgerSingle = try await ledgerRate(events: singleEvents, tasks: 1, level: level, in: directory)
        report("(a) single task, 1 event/append", ledger: ledgerSingle, raw: rawSingle, baseline: "raw, 1 insert/transaction")

        let rawBatched = try await rawRate(events: concurrentEvents, streams: tasks, batch: tasks, level: level, in: directory)
        let ledgerConcurrent = try await ledgerRate(events: concurrentEvents, tasks: tasks, level: level, in: directory)
        report("(b) \(tasks) tasks, 1 event/append", ledger: ledgerConcurrent, raw: rawBatched, baseline: "raw, \(tasks) inserts/transaction")
    }

    private func report(_ mode: String, ledger: Double, raw: Double, baseline: String) {
        let ratio = ledger / raw
        print("\(mode): ledger \(Int(ledger)) events/s, \(baseline) \(Int(raw)) events/s, ratio \(String(format: "%.2f", ratio))")
    }

    private func ledgerRate(
        events: Int,
        tasks: Int,
        level: SQLiteEventStore.Configuration.Durability,
        in directory: BenchmarkDirectory
    ) async throws -> Double {
        let store = try SQLiteEventStore(path: directory.path("ledger-\(tasks).sqlite"), configuration: .init(durability: level))
        let rate = try await AppendLoad(events: events, tasks: tasks).rate(on: store)
        await store.close()
        return rate
    }

    private func rawRate(
        events: Int,
        streams: Int,
        batch: Int,
        level: SQLiteEventStore.Configuration.Durability,
        in directory: BenchmarkDirectory
    ) async throws -> Double {
        let path = directory.path("raw-\(streams).sqlite")
        // The same schema (migrations, indexes, triggers) as the ledger.
        await (try SQLiteEventStore(path: path)).close()
        let perStream = events / streams
        var rows: [RawSQLiteBaseline.Row] = []
        rows.reserveCapacity(perStream * streams)
        for index in 0..<perStream {
            for stream in 0..<streams {  // interleaved, as concurrent tasks' appends arrive
                let event = try AppendLoad.event(task: stream, index: index)
                rows.append(
                    .init(
                        streamId: "bench-\(stream)",
                        streamVersion: Int64(index + 1),
                        eventId: event.eventId.uuidString.lowercased(),
                        type: event.type,
                        data: event.data.text,
                        metadata: event.metadata.text,
                        recordedAt: SystemClock().now().iso8601,
                        hash: (0..<32).map { _ in UInt8.random(in: 0...255) }
                    )
                )
            }
        }
        let seconds = try RawSQLiteBaseline(path: path, synchronous: level == .full ? "FULL" : "NORMAL")
            .insert(rows, batchSize: batch)
        return Double(rows.count) / seconds
    }
}
