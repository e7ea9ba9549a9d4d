import Foundation
import LedgerTesting
import Testing

/// Starting the server as a new user does: a port already taken is one clear line and exit code 3,
/// at once, with nothing handed out or left behind.
@Suite("Starting the server")
struct StartupTests {
    /// `ledger ARGS…` with `timeout` around it: a command that hangs ends with 124 instead of
    /// holding the test run.
    static func ledger(_ arguments: [String]) async throws -> ChildProcess.Output {
        try await ChildProcess.run("timeout", ["60", ServeProcess.ledger.path()] + arguments)
    }

    @Test("`ledger serve` on a port in use: exit 3, one line saying so; no token generated, printed or stored")
    func servePortInUse() async throws {
        let busy = try await IOPStandIn()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = directory.path("ledger.sqlite")
        let result = try await Self.ledger([
            "serve", "--db", db, "--port", String(busy.port), "--locations", ServerHarness.examplesLocations.path(), "--tariffs",
            ServerHarness.examplesTariffs.path(),
        ])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("port \(busy.port) on 127.0.0.1 is in use"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(!result.stdout.contains("token"), "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: db + ".token"))
    }

    /// It used to wait for ever for a port, ignoring SIGINT and SIGTERM.
    @Test("`ledger demo` on a port in use: exit 3 at once with one line, no hang")
    func demoPortInUse() async throws {
        let busy = try await IOPStandIn()
        let result = try await Self.ledger([
            "demo", "--port", String(busy.port), "--exit", "--locations", ServerHarness.examplesLocations.path(),
            "--dispute-log", "/nonexistent",
        ])
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("port \(busy.port) is in use"), "\(result.stderr)")
    }
}
