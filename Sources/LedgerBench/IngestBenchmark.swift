import API
import ArgumentParser
import Foundation
import Hummingbird
import Ledger
import Logging
import NIOCore
import Projections

/// START_SESSION ingest over loopback, driven by `wrk` (Debian's package): the ledger's server
/// (every request recorded durably before it is answered) against the framework ceiling — the
/// same Hummingbird stack answering a constant envelope on the same route, touching nothing.
struct IngestBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "START_SESSION requests/s and p50/p99 latency at N connections: ledger vs a constant-answer Hummingbird ceiling.",
        discussion: """
            Needs wrk on the PATH (apt-get install wrk). Without a charger every command is REJECTED; \
            --accepted connects chargers that accept them (run from the repository, with the release \
            `ledger` built beside ledger-bench: swift build -c release --product ledger).
            """
    )

    @Option(help: "Concurrent connections.")
    var connections = 32

    @Option(help: "Seconds per measurement.")
    var seconds = 10

    @Flag(
        help:
            "The ACCEPTED path instead: `ledger serve` as a child process, --chargers connected chargers that accept every RemoteStartTransaction, the results delivered to an IOP stand-in; CPU-µs per command of the server alone."
    )
    var accepted = false

    @Option(help: "Chargers the --accepted path spreads its commands over (one EVSE each).")
    var chargers = 1000

    static let token = "bench-token"

    func validate() throws {
        guard connections > 0, seconds > 0, chargers > 0 else { throw ValidationError("counts must be positive") }
    }

    func run() async throws {
        if accepted { return try await runAccepted() }
        let directory = try BenchmarkDirectory("ingest")
        defer { directory.remove() }
        let script = directory.path("start_session.lua")
        try Self.luaScript.write(toFile: script, atomically: true, encoding: .utf8)
        let logger = {
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            return logger
        }()

        let ceiling = try await measure("ceiling (constant envelope)", script: script) { onRunning, stop in
            let router = Router()
            router.post("ocpi/cpo/2.1.1/commands/:command") { request, _ -> Response in
                _ = try await request.body.collect(upTo: 64 * 1024)
                return Response(
                    status: .ok,
                    headers: [.contentType: "application/json"],
                    body: .init(
                        byteBuffer: ByteBuffer(
                            string:
                                #"{"data":{"result":"ACCEPTED"},"status_code":1000,"status_message":"Success","timestamp":"2026-01-01T00:00:00Z"}"#
                        )
                    )
                )
            }
            let app = Application(
                router: router,
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { await onRunning($0.localAddress?.port ?? 0) },
                logger: logger
            )
            let running = Task { try await app.runService(gracefulShutdownSignals: []) }
            await stop()
            running.cancel()
        }
        let store = try SQLiteEventStore(path: directory.path("ledger.sqlite"), readModels: ProjectionEngine())
        let locations = try LocationRegistry(json: Array(Self.locations.utf8))
        let server = LedgerServer(
            configuration: .init(
                host: "127.0.0.1",
                port: 0,
                locations: locations,
                token: Self.token,
                iopToken: nil,
                commandTimeout: .seconds(30),
                offeredCommands: CommandType.gireve
            ),
            store: store,
            logger: logger
        )
        let ledger = try await measure("ledger (recorded, synchronous=FULL)", script: script) { onRunning, stop in
            try await server.run(onRunning: onRunning, stopWhen: stop)
        }
        let recorded = try await store.headPosition()
        await store.close()
        print(
            String(
                format: "ratio ledger/ceiling in requests/s: %.2f; p99 %.2f ms vs %.2f ms; %lld events recorded",
                ledger.requestsPerSecond / ceiling.requestsPerSecond,
                ledger.p99,
                ceiling.p99,
                recorded
            )
        )
    }

    /// What wrk printed of a run: its rate, latencies, request count and error lines, and the
    /// whole text (a script's own lines are in it).
    struct WrkReport {
        var requestsPerSecond: Double
        var p50: Double
        var p99: Double
        var requests: Int
        /// wrk's `Non-2xx` and `Socket errors` lines, as ` (…)` to append to a report line, or "".
        var errors: String
        var output: String

        init(_ output: String) throws {
            guard let rate = IngestBenchmark.number(after: "Requests/sec:", in: output),
                let p50 = IngestBenchmark.milliseconds(after: "50%", in: output), let p99 = IngestBenchmark.milliseconds(after: "99%", in: output),
                let requests = IngestBenchmark.requests(in: output), requests > 0
            else {
                throw BenchmarkError("cannot read wrk's output:\n\(output)")
            }
            let errors = output.split(separator: "\n").filter { $0.contains("Non-2xx") || $0.contains("Socket errors") }
            (requestsPerSecond, self.p50, self.p99, self.requests, self.output) = (rate, p50, p99, requests, output)
            self.errors = errors.isEmpty ? "" : " (\(errors.joined(separator: "; ")))"
        }
    }

    /// Runs wrk's `script` with this benchmark's connections and duration against `port`.
    func wrk(script: String, port: Int) async throws -> WrkReport {
        try WrkReport(try await Self.wrk(["-t2", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script, "http://127.0.0.1:\(port)"]))
    }

    /// Starts a server with `serve(onRunning, stop)`, runs wrk against it, stops it.
    private func measure(
        _ name: String,
        script: String,
        _ serve:
            @escaping @Sendable (_ onRunning: @escaping @Sendable (Int) async -> Void, _ stop: @escaping @Sendable () async -> Void) async throws ->
            Void
    ) async throws -> WrkReport {
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let (stops, stopContinuation) = AsyncStream.makeStream(of: Void.self)
        let server = Task { try await serve({ portContinuation.yield($0) }, { for await _ in stops { return } }) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw BenchmarkError("\(name) did not start") }
        let cpuStart = ProcessorTime.seconds
        let report = try await wrk(script: script, port: port)
        let cpuSeconds = ProcessorTime.seconds - cpuStart
        stopContinuation.yield()
        try await server.value
        print(
            String(
                format: "%@: %.0f requests/s, p50 %.2f ms, p99 %.2f ms, %.0f CPU-µs per request (this process, wrk apart)%@",
                name,
                report.requestsPerSecond,
                report.p50,
                report.p99,
                cpuSeconds / Double(report.requests) * 1_000_000,
                report.errors
            )
        )
        return report
    }

    /// Runs wrk and returns what it printed. Waited for on a thread of its own: reading its
    /// output on the cooperative pool held one of the two threads the server under test runs on
    /// for the whole measurement.
    private static func wrk(_ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<String, any Error>) in
            Thread.detachNewThread {
                done.resume(
                    with: Swift.Result {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                        process.arguments = ["wrk"] + arguments
                        let pipe = Pipe()
                        process.standardOutput = pipe
                        try process.run()
                        let data = pipe.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        guard process.terminationStatus == 0 else { throw BenchmarkError("wrk failed (is it installed? apt-get install wrk)") }
                        return String(decoding: data, as: UTF8.self)
                    }
                )
            }
        }
    }

    /// `  123456 requests in 10.00s, 45.67MB read`.
    private static func requests(in text: String) -> Int? {
        text.split(separator: "\n").first { $0.contains(" requests in ") }.flatMap { line in
            line.split(separator: " ").first.flatMap { Int($0) }
        }
    }

    static func number(after label: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.contains(label) }.flatMap { line in
            line.split(separator: " ").last.flatMap { Double($0) }
        }
    }

    /// wrk prints latencies as `1.23ms`, `456.00us` or `1.02s`.
    private static func milliseconds(after label: String, in text: String) -> Double? {
        guard let line = text.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }),
            let value = line.split(separator: " ").last
        else { return nil }
        for (suffix, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0)] where value.hasSuffix(suffix) {
            return Double(value.dropLast(suffix.count)).map { $0 * scale }
        }
        return nil
    }

    /// One START_SESSION per request, each with its own response_url (so none is a repeat).
    static let luaScript = """
        local counter = 0
        local threads = 0
        function setup(thread) threads = threads + 1; thread:set("id", threads) end
        function request()
          counter = counter + 1
          local body = string.format('{"response_url":"http://127.0.0.1:9/ocpi/emsp/2.1.1/commands/START_SESSION/%d-%d","token":{"uid":"APP-7Q2M4K9X","type":"OTHER","auth_id":"FR*XYZ*C0012345*6","issuer":"FR*XYZ","valid":true,"whitelist":"ALWAYS","last_updated":"2024-02-01T08:00:00Z"},"authorization_id":"b3f1c9e2-7a4d-4e8b-9c21-%012d","location_id":"LOC-PARIS-0042","evse_uid":"EVSE-0042-01"}', id, counter, counter)
          return wrk.format("POST", "/ocpi/cpo/2.1.1/commands/START_SESSION", {["Authorization"] = "Token bench-token", ["Content-Type"] = "application/json"}, body)
        end
        """

    /// One location, one EVSE whose charger never connects: every START_SESSION is checked,
    /// recorded and answered REJECTED (the ingest path without a dispatch).
    static let locations = """
        [{"id":"LOC-PARIS-0042","evses":[{"uid":"EVSE-0042-01","capabilities":["REMOTE_START_STOP_CAPABLE"],"ocpp":{"charge_point_id":"CP-1","connector_id":1}}]}]
        """
}
