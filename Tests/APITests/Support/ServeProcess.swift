import Foundation
import LedgerTesting

/// `ledger serve` as a real child process on a free port, its log read line by line: for the
/// tests that kill it, lock it out, or read what it logs.
enum ServeProcess {
    /// The `ledger` executable built beside the test bundle.
    static let ledger = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appending(path: "ledger")

    /// Starts `ledger serve` on `db` (default `directory/ledger.sqlite`) and returns it with the port it printed.
    static func start(
        _ directory: TemporaryDirectory,
        db: String? = nil,
        timeout: Int = 30,
        iop: String? = nil,
        iopToken: String = ServerHarness.iopToken,
        locations: String = ServerHarness.examplesLocations.path(),
        tariffs: String = ServerHarness.examplesTariffs.path(),
        extra: [String] = []
    ) async throws -> (LineProcess, Int) {
        let process = try LineProcess(
            ledger,
            [
                "serve", "--db", db ?? directory.path("ledger.sqlite"), "--port", "0", "--locations", locations, "--tariffs", tariffs,
                "--token", ServerHarness.token, "--iop-token", iopToken, "--command-timeout", String(timeout),
                "--response-url-hosts", ServerHarness.responseURLHosts.joined(separator: ","),
            ] + (iop.map { ["--iop-url", "\($0)/ocpi/emsp/2.1.1"] } ?? []) + extra,
            logs: true
        )
        let lines = try await process.lines.wait("the server to listen") { $0.contains { $0.hasPrefix("ledger serving on") } }
        let line = lines.first { $0.hasPrefix("ledger serving on") }!
        guard let port = line.firstMatch(of: /:(\d+)\s/).flatMap({ Int($0.1) }) else { throw WaitTimedOut(what: "a port", items: line) }
        return (process, port)
    }
}
