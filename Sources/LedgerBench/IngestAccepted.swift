import Foundation
import Logging
import NIOPosix
import Simulation

/// START_SESSION on the ACCEPTED path (issue 31's budget: CALL sent, charger answer, result
/// queued): `ledger serve` as a child process, so that its CPU is read from /proc apart from the
/// chargers and the IOP stand-in, which run here, and from wrk.
///
/// Every command names one of `chargers` EVSEs in turn; their chargers (the swarm's lean client)
/// accept every RemoteStartTransaction and never start a transaction, so each EVSE stays
/// Available and every command is ACCEPTED. Each result is POSTed to its `response_url` on the
/// IOP stand-in (`IOPSimulator`). Two figures: the server's CPU over wrk's run per request, and
/// the same until every ACCEPTED command's result was delivered.
extension IngestBenchmark {
    func runAccepted() async throws {
        let directory = try BenchmarkDirectory("ingest-accepted")
        defer { directory.remove() }
        try Swarm.locations(count: chargers, v201Every: 0).write(toFile: directory.path("locations.json"), atomically: true, encoding: .utf8)
        let logger = {
            var logger = Logger(label: "bench")
            logger.logLevel = .error
            return logger
        }()
        let iop = try await IOPSimulator.start(logger: logger)
        let server = try await ServedLedger(
            arguments: [
                "--db", directory.path("ledger.sqlite"), "--locations", directory.path("locations.json"),
                "--tariffs", "examples/tariffs.json", "--token", Self.token, "--iop-token", "bench-iop-token",
                "--response-url-hosts", "127.0.0.1",
            ],
            logFile: directory.path("serve.log")
        )
        defer { if server.process.isRunning { server.process.terminate() } }
        // Not shut down: it lives as long as the benchmark process.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let swarm = Swarm(
            endpoints: [Swarm.Endpoint(host: "127.0.0.1", port: server.port)],
            count: chargers,
            v201Every: 0,
            group: group,
            answers: ["RemoteStartTransaction": #"{"status":"Accepted"}"#]
        )
        let boot = await swarm.connectAndBoot()
        guard boot.errors == 0 else { throw BenchmarkError("the chargers did not boot: \(boot.firstErrors.joined(separator: "; "))") }

        let script = directory.path("start_session_accepted.lua")
        try Self.acceptedScript(chargers: chargers, resultsPort: iop.port).write(toFile: script, atomically: true, encoding: .utf8)
        let delivered = iop.requestsReceived
        let cpuStart = server.usage.cpuSeconds
        let report = try await wrk(script: script, port: server.port)
        let cpuDuringRun = server.usage.cpuSeconds - cpuStart
        guard let acceptedCount = Self.number(after: "accepted", in: report.output).map({ Int($0) }) else {
            throw BenchmarkError("the script printed no count of ACCEPTED answers:\n\(report.output)")
        }
        // The results still queued when wrk stopped: waited for (a benchmark, not a test), 60 s at most.
        let waitStart = ContinuousClock.now
        while iop.requestsReceived - delivered < acceptedCount, ContinuousClock.now - waitStart < .seconds(60) {
            try await Task.sleep(for: .milliseconds(20))
        }
        let results = iop.requestsReceived - delivered
        let cpuUntilDelivered = server.usage.cpuSeconds - cpuStart
        print(
            String(
                format:
                    "ledger ACCEPTED path (%d chargers, server apart): %.0f requests/s, p50 %.2f ms, p99 %.2f ms; %d of %d ACCEPTED; %.0f CPU-µs per request over the run, %.0f until %d results were delivered%@",
                chargers,
                report.requestsPerSecond,
                report.p50,
                report.p99,
                acceptedCount,
                report.requests,
                cpuDuringRun / Double(report.requests) * 1_000_000,
                cpuUntilDelivered / Double(report.requests) * 1_000_000,
                results,
                report.errors
            )
        )
        await swarm.dropConnections()
        await server.stop()
        await iop.stop()
    }

    /// One START_SESSION per request, to the chargers' EVSEs in turn, each with its own
    /// `response_url` on the IOP stand-in; counts the ACCEPTED answers and prints `accepted N`.
    /// wrk's two threads start half the chargers apart: in step, they would send each charger two
    /// commands at once, and the second waits for the charger's answer to the first (one CALL at a
    /// time) — a queue the benchmark is not there to measure.
    static func acceptedScript(chargers: Int, resultsPort: Int) -> String {
        """
        local counter = 0
        local threads = {}
        function setup(thread) table.insert(threads, thread); thread:set("id", #threads) end
        function init(args) accepted = 0; counter = (id - 1) * \(chargers / 2) end
        function request()
          counter = counter + 1
          local charger = counter % \(chargers)
          local body = string.format('{"response_url":"http://127.0.0.1:\(resultsPort)/ocpi/emsp/2.1.1/commands/START_SESSION/%d-%d","token":{"uid":"APP-7Q2M4K9X","type":"OTHER","auth_id":"FR*XYZ*C0012345*6","issuer":"FR*XYZ","valid":true,"whitelist":"ALWAYS","last_updated":"2024-02-01T08:00:00Z"},"authorization_id":"b3f1c9e2-7a4d-4e8b-9c21-%012d","location_id":"LOC-SW-%d","evse_uid":"EVSE-SW-%05d"}', id, counter, counter, math.floor(charger / 10), charger)
          return wrk.format("POST", "/ocpi/cpo/2.1.1/commands/START_SESSION", {["Authorization"] = "Token \(token)", ["Content-Type"] = "application/json"}, body)
        end
        function response(status, headers, body)
          if string.find(body, '"ACCEPTED"', 1, true) then accepted = accepted + 1 end
        end
        function done(summary, latency, requests)
          local total = 0
          for _, thread in ipairs(threads) do total = total + thread:get("accepted") end
          io.write(string.format("accepted %d\\n", total))
        end
        """
    }
}
