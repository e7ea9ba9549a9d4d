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
        abstract: "Append throughput: ledger vs raw SQLite, single task and concurrent tasks.")

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
        print("append benchmark: durability=\(level.rawValue), \(ProcessInfo.processInfo.activeProcessorCount) cores, SQLite in \(directory.url.path())")

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

    private func event(task: Int, index: Int) throws -> NewEvent {
        try NewEvent(
            type: "CommandReceived",
            data: CanonicalJSON(encoding: BenchPayload(task: task, index: index)),
            metadata: EventMetadata(source: "ocpi", correlationId: "command-\(task)-\(index)"))
    }

    private func ledgerRate(events: Int, tasks: Int, level: SQLiteEventStore.Configuration.Durability, in directory: BenchmarkDirectory) async throws -> Double {
        let store = try SQLiteEventStore(
            path: directory.path("ledger-\(tasks).sqlite"),
            configuration: .init(durability: level))
        let perTask = events / tasks
        // Built before the clock starts, as the baseline's rows are: this measures the store.
        let prepared = try (0..<tasks).map { task in try (0..<perTask).map { try event(task: task, index: $0) } }
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (task, events) in prepared.enumerated() {
                group.addTask {
                    for (index, event) in events.enumerated() {
                        _ = try await store.append([event], to: "bench-\(task)", expectedVersion: .exact(Int64(index)))
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = (ContinuousClock.now - start).seconds
        await store.close()
        return Double(perTask * tasks) / elapsed
    }

    private func rawRate(events: Int, streams: Int, batch: Int, level: SQLiteEventStore.Configuration.Durability, in directory: BenchmarkDirectory) async throws -> Double {
        let path = directory.path("raw-\(streams).sqlite")
        // The same schema (migrations, indexes, triggers) as the ledger.
        await (try SQLiteEventStore(path: path)).close()
        let perStream = events / streams
        var rows: [RawSQLiteBaseline.Row] = []
        rows.reserveCapacity(perStream * streams)
        for index in 0..<perStream {
            for stream in 0..<streams {  // interleaved, as concurrent tasks' appends arrive
                let event = try event(task: stream, index: index)
                rows.append(.init(
                    streamId: "bench-\(stream)", streamVersion: Int64(index + 1), eventId: event.eventId.uuidString.lowercased(),
                    type: event.type, data: event.data.text, metadata: event.metadata.text,
                    recordedAt: SystemClock().now().iso8601, hash: (0..<32).map { _ in UInt8.random(in: 0...255) }))
            }
        }
        let seconds = try RawSQLiteBaseline(path: path, synchronous: level == .full ? "FULL" : "NORMAL")
            .insert(rows, batchSize: batch)
        return Double(rows.count) / seconds
    }
}

/// A payload the size of a typical CommandReceived event (an OCPI StartSession body).
struct BenchPayload: Encodable {
    let task: Int
    let index: Int
    var command = "START_SESSION"
    var responseURL = "https://iop.example.com/ocpi/emsp/2.1.1/commands/START_SESSION/8f3c2a9e-1b7d-4e21-9a63-5c0d2e7f4b18"
    var token = ["uid": "012345678", "type": "RFID", "auth_id": "FR-GIR-C12345678-9", "visual_number": "DF000-2001-8999", "issuer": "TheNewMotion", "valid": "true", "whitelist": "ALLOWED"]
    var locationID = "LOC-0001"
    var evseUID = "FR*CPO*E0001*1"
    var authorizationID = "4fa8b7c1-2d3e-4f50-8a6b-7c8d9e0f1a2b"

    enum CodingKeys: String, CodingKey {
        case task, index, command, token
        case responseURL = "response_url", locationID = "location_id", evseUID = "evse_uid", authorizationID = "authorization_id"
    }
}
