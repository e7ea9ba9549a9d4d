import Foundation
import LedgerTesting
import Testing

/// The harnesses clean up on every path: a test that fails inside one is reported and the run goes
/// on, with no server, charger or `ledger serve` left behind — not even when the process that
/// started them dies without cleaning up.
@Suite("Test harness clean-up", .serialized)
struct HarnessCleanupTests {
    struct Planned: Error {}

    /// Whether `pid` still runs (a zombie waiting for its reaper does not).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let state = stat.split(separator: ")").last?.split(separator: " ").first
        else { return false }
        return state != "Z" && state != "X"
    }

    /// Waits up to `seconds` for `pid` to end; whether it did.
    static func ends(_ pid: Int32, within seconds: Int) async throws -> Bool {
        for _ in 0..<(seconds * 20) where isRunning(pid) { try await Task.sleep(for: .milliseconds(50)) }
        return !isRunning(pid)
    }

    @Test("a test that throws inside the server harness gets its error; the server stops, its port closes and its charger is gone")
    func throwingInsideTheHarness() async throws {
        var port = 0
        var charger: Int32 = 0
        do {
            try await ServerHarness.with { server in
                port = server.port
                let simulator = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
                charger = simulator.processIdentifier
                try withExtendedLifetime(simulator) { throw Planned() }
            }
            Issue.record("the harness swallowed the body's error")
        } catch is Planned {}
        #expect(!Self.isRunning(charger), "the charger simulator \(charger) outlived its test")
        // A plain TCP connect (an HTTP client would retry a refused connection until its timeout).
        let connect = try await ChildProcess.run("bash", ["-c", "exec 3<>/dev/tcp/127.0.0.1/\(port)"])
        #expect(connect.status != 0, "the server still listens on port \(port)")
    }

    /// `LEDGER_EXIT_WITH_PARENT`, which every child of the tests gets: a `ledger serve` whose
    /// parent was killed with -9 (a test process that crashed) ends by itself.
    @Test("a `ledger serve` whose parent is killed with -9 ends by itself")
    func serveDiesWithItsParent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let serve = [
            ServeProcess.ledger.path(), "serve", "--db", directory.path("ledger.sqlite"), "--port", "0",
            "--locations", ServerHarness.examplesLocations.path(), "--tariffs", ServerHarness.examplesTariffs.path(), "--token", ServerHarness.token,
        ]
        // A parent that starts the server, says its pid and waits: the shell stands for a test process.
        let parent = try LineProcess(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", #"LEDGER_EXIT_WITH_PARENT=$$ "$@" & echo "child $!"; wait"#, "sh"] + serve
        )
        let lines = try await parent.lines.wait("the server to listen") { $0.contains { $0.hasPrefix("ledger serving on") } }
        let child = try #require(lines.first { $0.hasPrefix("child ") }.flatMap { Int32($0.dropFirst(6)) })
        #expect(Self.isRunning(child))
        parent.kill(SIGKILL)
        #expect(try await Self.ends(child, within: 10), "ledger serve \(child) outlived its parent")
    }
}
