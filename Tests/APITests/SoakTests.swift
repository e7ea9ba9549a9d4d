import Foundation
import Ledger
import LedgerTesting
import TestPrerequisites
import Testing

/// The soak (`Soak/soak.py`): `ledger serve` as a real process under load from 50 Python `ocpp`
/// chargers and an IOP stand-in, with charger drops, two IOP outages and two kill -9 restarts,
/// then every acknowledged thing checked in the ledger, verify and replay clean, RSS and file
/// descriptors bounded. It is a load test, so it runs for real time: 120 s of load in CI
/// (`CI=true`), 20 s otherwise, or `CHARGELEDGER_SOAK_SECONDS`. By hand, longer:
/// `python3 Tests/APITests/Soak/soak.py --ledger .build/debug/ledger --seconds 900`.
@Suite("Soak", .serialized)
struct SoakTests {
    static var seconds: Int {
        let environment = ProcessInfo.processInfo.environment
        return environment["CHARGELEDGER_SOAK_SECONDS"].flatMap(Int.init) ?? (environment["CI"] == "true" ? 120 : 20)
    }

    @Test("under load, drops, IOP outages and two kill -9 restarts nothing acknowledged is lost and every result and CDR is delivered")
    func soak() async throws {
        try await Prerequisite.python.require()
        let script = try #require(Bundle.module.url(forResource: "Soak/soak", withExtension: "py"))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let run = try await ChildProcess.run(
            "python3",
            [
                script.path(), "--ledger", ServeProcess.ledger.path(), "--seconds", String(Self.seconds), "--workdir", directory.path("soak"),
            ]
        )
        let summary = try JSONValue(parsing: Array((run.stdout.split(separator: "\n").last ?? "").utf8))
        // The figures, for the CI log and the closing note.
        print("soak summary: \(summary.canonicalText)")
        #expect(run.status == 0, "\(summary["problems"]?.canonicalText ?? run.stderr.suffix(4000).description)")
        #expect(summary["lost"]?.int64Value == 0)
        #expect(summary["faults"]?["kill_9"]?.int64Value == 2 && summary["faults"]?["iop_outages"]?.int64Value == 2)
        #expect((summary["commands_accepted"]?.int64Value ?? 0) > 0 && (summary["cdrs"]?.int64Value ?? 0) > 0)
    }

    /// Multi-instance mode: two `ledger serve` on one PostgreSQL ledger, the chargers spread over
    /// both and moving on a drop, commands posted to either, one instance killed with -9 while the
    /// IOP is down (so nothing it sent can be delivered-but-unrecorded) and restarted later. 60 s
    /// of load in CI, 20 s otherwise, or `CHARGELEDGER_SOAK_SECONDS`.
    static var multiInstanceSeconds: Int {
        let environment = ProcessInfo.processInfo.environment
        return environment["CHARGELEDGER_SOAK_SECONDS"].flatMap(Int.init) ?? (environment["CI"] == "true" ? 60 : 20)
    }

    @Test(
        "two instances on one PostgreSQL ledger, one killed with -9: every result and CDR is delivered exactly once and CALLs go through the instance holding the charger",
        .needsPostgres
    )
    func soakTwoInstances() async throws {
        try await Prerequisite.python.require()
        let script = try #require(Bundle.module.url(forResource: "Soak/soak", withExtension: "py"))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await StoreKind.postgres.withScratchLedger { ledger in
            let run = try await ChildProcess.run(
                "python3",
                [
                    script.path(), "--ledger", ServeProcess.ledger.path(), "--seconds", String(Self.multiInstanceSeconds),
                    "--instances", "2", "--db", ledger.db, "--workdir", directory.path("soak"),
                ]
            )
            let summary = try JSONValue(parsing: Array((run.stdout.split(separator: "\n").last ?? "").utf8))
            print("soak summary (2 instances): \(summary.canonicalText)")
            #expect(run.status == 0, "\(summary["problems"]?.canonicalText ?? run.stderr.suffix(4000).description)")
            #expect(summary["lost"]?.int64Value == 0)
            #expect(summary["duplicates_at_iop"]?["results"]?.int64Value == 0 && summary["duplicates_at_iop"]?["cdrs"]?.int64Value == 0)
            #expect(summary["faults"]?["kill_9"]?.int64Value == 1)
            #expect((summary["commands_accepted"]?.int64Value ?? 0) > 0 && (summary["cdrs"]?.int64Value ?? 0) > 0)
            #expect((summary["dispatched_via_another_instance"]?.int64Value ?? 0) > 0)
        }
    }
}
