import Foundation
import Ledger
import LedgerTesting
import Testing

/// `ledger serve` as a real process, killed with SIGKILL after answering ACCEPTED.
@Suite("kill -9", .serialized)
struct KillNineTests {
    static let ledger = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appending(path: "ledger")

    /// Starts `ledger serve` on a free port and returns it with the port it printed.
    func serve(_ directory: TemporaryDirectory, timeout: Int) async throws -> (LineProcess, Int) {
        let process = try LineProcess(Self.ledger, [
            "serve", "--db", directory.path("ledger.sqlite"), "--port", "0", "--locations", ServerHarness.examplesLocations.path(),
            "--token", ServerHarness.token, "--iop-token", ServerHarness.iopToken, "--command-timeout", String(timeout),
        ], logs: true)
        let lines = try await process.lines.wait("the server to listen") { $0.contains { $0.hasPrefix("ledger serving on") } }
        let line = lines.first { $0.hasPrefix("ledger serving on") }!
        guard let port = line.firstMatch(of: /:(\d+)\s/).flatMap({ Int($0.1) }) else { throw WaitTimedOut(what: "a port", items: line) }
        return (process, port)
    }

    /// The deadline is in the ledger, not in the dead process: the restarted server times the
    /// command out and the TIMEOUT reaches response_url exactly once (its delivery is recorded, so
    /// no later run can send it again).
    @Test("killed after answering ACCEPTED: after the restart the TIMEOUT reaches response_url exactly once")
    func timeoutSurvivesKillNine() async throws {
        let iop = try await IOPStandIn()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (first, port) = try await serve(directory, timeout: 1)
        let charger = try await ChargerSimulator(id: "CP-0042-A", port: port, mode: "silent")
        let body = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/killed")
        let answer = try await ServerHarness.post(port: port, command: "START_SESSION", body: body)
        #expect(answer.result == "ACCEPTED")
        try await charger.waitFor("the CALL") { $0["event"]?.stringValue == "call" }
        first.kill(SIGKILL)
        charger.stop()

        let (second, _) = try await serve(directory, timeout: 1)
        try await iop.requests.wait("the TIMEOUT after the restart") { !$0.isEmpty }
        // The server logs a delivery once its success is recorded; then it may die too.
        try await second.lines.wait("the delivery recorded") { $0.contains { $0.contains("attempt 1: delivered") } }
        second.kill(SIGKILL)

        #expect(iop.results == ["TIMEOUT"])
        let verifier = try LineProcess(Self.ledger, ["verify", "--db", directory.path("ledger.sqlite")])
        let verify = try await verifier.lines.wait("verify") { $0.contains { $0.hasPrefix("ok ") || $0.hasPrefix("FAILED") } }
        #expect(verify.contains { $0.hasPrefix("ok ") }, "\(verify)")
        let pending = try await SQLiteEventStore.withOpen(directory.path("ledger.sqlite")) { store in
            try await store.withReadDatabase { try $0.rows("SELECT count(*) FROM deliveries WHERE status = 'pending'").first?.first }
        }
        #expect(pending == .integer(0))
    }
}

extension SQLiteEventStore {
    static func withOpen<T: Sendable>(_ path: String, _ body: (SQLiteEventStore) async throws -> T) async throws -> T {
        let store = try SQLiteEventStore(path: path)
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }
}
