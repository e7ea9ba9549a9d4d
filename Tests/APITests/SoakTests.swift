import Foundation
import Ledger
import LedgerTesting
import Testing

/// The soak (`Soak/soak.py`): `ledger serve` as a real process under load from 50 Python `ocpp`
/// chargers and an IOP stand-in, with charger drops, two IOP outages and two kill -9 restarts,
/// then every acknowledged thing checked in the ledger, verify and replay clean, RSS and file
/// descriptors bounded. It is a load test, so it runs for real time: 120 s of load in CI
/// (`CI=true`), 20 s otherwise, or `CHARGELEDGER_SOAK_SECONDS`. By hand, longer:
/// `python3 Tests/APITests/Soak/soak.py --ledger .build/debug/ledger --seconds 900`.
@Suite("Soak")
struct SoakTests {
    static var seconds: Int {
        let environment = ProcessInfo.processInfo.environment
        return environment["CHARGELEDGER_SOAK_SECONDS"].flatMap(Int.init) ?? (environment["CI"] == "true" ? 120 : 20)
    }

    @Test("under load, drops, IOP outages and two kill -9 restarts nothing acknowledged is lost and every result and CDR is delivered")
    func soak() async throws {
        let script = try #require(Bundle.module.url(forResource: "Soak/soak", withExtension: "py"))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let run = try await ChildProcess.run("python3", [
            script.path(), "--ledger", ServeProcess.ledger.path(), "--seconds", String(Self.seconds), "--workdir", directory.path("soak"),
        ])
        let summary = try JSONValue(parsing: Array((run.stdout.split(separator: "\n").last ?? "").utf8))
        // The figures, for the CI log and the closing note.
        print("soak summary: \(summary.canonicalText)")
        #expect(run.status == 0, "\(summary["problems"]?.canonicalText ?? run.stderr.suffix(4000).description)")
        #expect(summary["lost"]?.int64Value == 0)
        #expect(summary["faults"]?["kill_9"]?.int64Value == 2 && summary["faults"]?["iop_outages"]?.int64Value == 2)
        #expect((summary["commands_accepted"]?.int64Value ?? 0) > 0 && (summary["cdrs"]?.int64Value ?? 0) > 0)
    }
}
