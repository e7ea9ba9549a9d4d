import API
import Foundation
import Ledger
import LedgerTesting
import TestPrerequisites
import Testing

/// `GET /metrics`, read by the reference parser (Python's `prometheus_client`), moving as a real
/// scenario runs: a charger connects, one command times out, one names an unknown location.
@Suite("Metrics", .serialized)
struct MetricsTests {
    struct Sample: Decodable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    /// Parses exposition text with `Scripts/parse_metrics.py`; a text it refuses fails the test.
    static func parse(_ text: String) async throws -> [Sample] {
        try await Prerequisite.python.require()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = URL(fileURLWithPath: directory.path("metrics.txt"))
        try text.write(to: input, atomically: true, encoding: .utf8)
        let script = try #require(Bundle.module.url(forResource: "Scripts", withExtension: nil)).appending(path: "parse_metrics.py")
        let parsed = try await ChildProcess.run("python3", [script.path()], stdin: input)
        try #require(parsed.status == 0, "the Prometheus parser refused /metrics: \(parsed.stderr)")
        return try JSONDecoder().decode([Sample].self, from: Data(parsed.stdout.utf8))
    }

    static func value(_ samples: [Sample], _ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    @Test("/metrics parses as Prometheus text and its counters and gauges move as the scenario runs")
    func metricsMove() async throws {
        let iop = try await IOPStandIn()
        // The IOP refuses the EVSE status for good: it is parked, and the outbox shows it by lane.
        iop.answer { _, path in path.contains("/locations/") ? .ocpiError(2001) : nil }
        try await ServerHarness.with(iop: iop.url) { server in
            let scrape = { try await Self.parse(try await server.ops("/metrics", authorization: nil).text) }
            let before = try await scrape()
            #expect(Self.value(before, "ledger_chargers_connected") == 0)
            #expect(Self.value(before, "ledger_commands_answered_total", ["command": "START_SESSION", "answer": "ACCEPTED"]) == nil)

            let charger = try await ChargerSimulator(id: CommandPathTests.chargePoint, port: server.port, mode: "silent")
            defer { charger.stop() }
            let start = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/m1")
            #expect(try await server.command("START_SESSION", start).result == "ACCEPTED")
            try await charger.waitFor("the CALL") { $0["event"]?.stringValue == "call" }
            server.clock.advance(milliseconds: 30_001)
            try await iop.requests.wait("the TIMEOUT") { !$0.isEmpty }
            // Its success is recorded after the IOP answered: wait for it, or a busy machine
            // scrapes ledger_events two events (the attempt, the success) before readAll counts them.
            _ = try await server.waitForEvent("DeliverySucceeded")
            _ = try await server.waitForEvent("DeliveryParked")
            let unknown = try Requests.vector(
                "G-01",
                responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/m2",
                replacing: ["location_id": .string("LOC-NOWHERE")]
            )
            #expect(try await server.command("START_SESSION", unknown).statusCode == 2003)

            let after = try await scrape()
            #expect(Self.value(after, "ledger_commands_answered_total", ["command": "START_SESSION", "answer": "ACCEPTED"]) == 1)
            #expect(Self.value(after, "ledger_commands_answered_total", ["command": "START_SESSION", "answer": "2003"]) == 1)
            #expect(Self.value(after, "ledger_command_answer_seconds_count", ["command": "START_SESSION"]) == 2)
            #expect(Self.value(after, "ledger_command_timeouts_total") == 1)
            #expect(Self.value(after, "ledger_command_results_total", ["result": "TIMEOUT"]) == 1)
            #expect(Self.value(after, "ledger_commands", ["command": "START_SESSION", "status": "TIMEOUT"]) == 1)
            #expect(Self.value(after, "ledger_chargers_connected") == 1)
            #expect((Self.value(after, "ledger_append_seconds_count") ?? 0) >= 2)
            let events = try await server.store.readAll(after: 0, limit: .max).count
            #expect(Self.value(after, "ledger_events") == Double(events))
            #expect(Self.value(after, "ledger_outbox_depth") != nil && Self.value(after, "ledger_deliveries_parked") == 1)
            #expect(Self.value(after, "ledger_outbox", ["lane": "evse_status", "status": "parked"]) == 1)
            #expect(Self.value(after, "ledger_outbox", ["lane": "command_result", "status": "pending"]) == 0)
            #expect(Self.value(before, "ledger_outbox", ["lane": "session", "status": "parked"]) == 0)
        }
    }
}
