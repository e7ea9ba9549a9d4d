import Foundation
import Ledger
import LedgerTesting
import TestPrerequisites

/// A real OCPP 1.6J charge point, or 2.0.1 station (`ocpp: "2.0.1"`): the Python `ocpp`
/// package driving `Simulator/charger.py` in a child process. Its stdout is one JSON object per
/// line; commands go to its stdin.
final class ChargerSimulator: Sendable {
    private let process: LineProcess

    /// Starts a charger `id` against `port`, answering remote commands as `mode` says
    /// (`accept`, `reject`, `silent`, `disconnect`, `late`), and waits for its boot to be accepted.
    init(
        id: String,
        port: Int,
        mode: String,
        boot: Bool = true,
        password: String? = nil,
        ocpp: String = "1.6",
        offer: String? = nil,
        connector: Int = 1
    ) async throws {
        try await Prerequisite.python.require()
        guard let script = Bundle.module.url(forResource: "Simulator/charger", withExtension: "py") else {
            throw WaitTimedOut(what: "the simulator script in the test bundle", items: "")
        }
        process = try LineProcess(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3", script.path(), "--url", "ws://127.0.0.1:\(port)/ocpp/\(id)", "--mode", mode, "--max-seconds", "120",
                "--ocpp", ocpp, "--connector", String(connector),
            ] + (boot ? [] : ["--no-boot"]) + (password.map { ["--password", $0] } ?? []) + (offer.map { ["--offer", $0] } ?? [])
        )
        if boot {
            try await waitFor("boot accepted") { $0["event"]?.stringValue == "boot" && $0["status"]?.stringValue == "Accepted" }
            // The StatusNotification after boot is recorded before the charger counts as ready.
            try await waitFor("status notification answered") {
                $0["event"]?.stringValue == "result" && $0["action"]?.stringValue == "StatusNotification"
            }
        }
    }

    /// How a connection attempt ended: the simulator's `connected` or `connect_failed` line.
    static func connectionOutcome(id: String, port: Int, password: String?) async throws -> JSONValue {
        let charger = try await ChargerSimulator(id: id, port: port, mode: "accept", boot: false, password: password)
        defer { charger.stop() }
        return try await charger.waitFor("the connection's outcome") { ["connected", "connect_failed"].contains($0["event"]?.stringValue) }
    }

    /// Waits for a line matching `predicate`; returns it.
    @discardableResult
    func waitFor(_ what: String, _ predicate: @escaping @Sendable (JSONValue) -> Bool) async throws -> JSONValue {
        let matches: @Sendable (String) -> Bool = { line in (try? JSONValue(parsing: line)).map(predicate) ?? false }
        let all = try await process.lines.wait(what) { $0.contains(where: matches) }
        return try JSONValue(parsing: all.first(where: matches)!)
    }

    /// Waits until `count` lines match `predicate`.
    func waitFor(_ what: String, count: Int, _ predicate: @escaping @Sendable (JSONValue) -> Bool) async throws {
        let matches: @Sendable (String) -> Bool = { line in (try? JSONValue(parsing: line)).map(predicate) ?? false }
        try await process.lines.wait(what) { $0.filter(matches).count >= count }
    }

    /// The lines matching `predicate` so far.
    func lines(_ predicate: (JSONValue) -> Bool) -> [JSONValue] {
        process.lines.items.compactMap { try? JSONValue(parsing: $0) }.filter(predicate)
    }

    /// How many lines match `predicate` so far.
    func count(_ predicate: (JSONValue) -> Bool) -> Int {
        lines(predicate).count
    }

    /// Sends a CALL (a stdin command line) and returns the simulator's `result` or `callerror`
    /// line for it.
    func call(_ action: String, _ command: String) async throws -> JSONValue {
        let isAnswer: @Sendable (JSONValue) -> Bool = {
            $0["action"]?.stringValue == action && ["result", "callerror"].contains($0["event"]?.stringValue)
        }
        let before = count(isAnswer)
        send(command)
        try await waitFor("\(action) answered", count: before + 1, isAnswer)
        return lines(isAnswer)[before]
    }

    /// Sends a command line (JSON or `release`) to the simulator's stdin.
    func send(_ line: String) { process.send(line) }

    func stop() { process.kill() }

    var processIdentifier: Int32 { process.processIdentifier }
}
