import API
import Domain
import Foundation
import Ledger
import LedgerTesting
import Testing

@Suite("Deadlines across restarts", .serialized)
struct RestartTests {
    /// The deadline lives in the timers projection, not in memory: a server that stops after
    /// answering ACCEPTED and comes back after the deadline times the command out at start-up,
    /// and the result reaches response_url exactly once.
    @Test("a command accepted before a stop times out after the restart, exactly once")
    func overdueAfterRestart() async throws {
        let iop = try await IOPStandIn()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await ServerHarness.with(directory: directory, checksLedger: false) { first in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: first.port, mode: "silent")
            defer { charger.stop() }
            let body = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/restart")
            #expect(try await first.command("START_SESSION", body).result == "ACCEPTED")
            try await charger.waitFor("the CALL") { $0["event"]?.stringValue == "call" }
        }
        #expect(iop.requests.items.isEmpty)

        try await ServerHarness.with(directory: directory) { second in
            second.clock.advance(milliseconds: 31_000)
            try await iop.requests.wait("the TIMEOUT after the restart") { !$0.isEmpty }
            #expect(iop.results == ["TIMEOUT"])
            let stale = try await second.events("ChargePointDisconnected").map { $0.data.value["reason"]?.stringValue }
            #expect(stale.contains { $0?.hasPrefix("its server stopped") == true } || stale.contains("closed by the charger"))
        }
        #expect(iop.results == ["TIMEOUT"])
    }
}
