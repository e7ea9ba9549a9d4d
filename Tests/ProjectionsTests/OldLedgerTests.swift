import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

/// A ledger made by an earlier binary keeps working after its schema's files moved to their
/// owners (`migrations/ledger/`, `migrations/projections/`): `Golden/before-issue-26/dispute.sqlite`
/// was written by `ledger import` of main at bff8686 (before issue 26), from the dispute golden
/// log, and `dispute.audit.json` is what that binary's `ledger audit --session SES-5 --json` printed.
/// It also keeps its CDRs as recorded after pricing came (issue 27): their `total_cost` of 0 is read
/// back as it was written.
@Suite("Ledgers made before the schema moved")
struct OldLedgerTests {
    static func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Golden", withExtension: nil)).appending(path: "before-issue-26/\(name)")
    }

    @Test(
        "an old ledger opens applying only the migrations made since, verifies, replays to identical rows, and audits its CDRs byte for byte as before"
    )
    func oldLedgerUnchanged() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("dispute.sqlite")
        try FileManager.default.copyItem(at: try Self.fixture("dispute.sqlite"), to: URL(fileURLWithPath: path))

        let migrations = try await SQLiteEventStore(path: path, readModels: ProjectionEngine()).closing { store in
            try await store.projectionRows("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
        }
        #expect(
            migrations.map { $0[1].text } == [
                "0001_events", "0002_projections", "0003_command_lookup_and_chargepoints",
                "0004_anomaly_positions", "0005_session_charge_points", "0006_tariffs", "0007_evse_statuses",
                "0008_iop_connection_and_locations",
                "0009_ocpi_requests", "0010_remote_start_ids",
            ]
        )
        // Those it had were not applied again; 0006 (issue 27: tariffs, sessions refolded) and
        // 0007, 0008 (issue 28: EVSE statuses, charge points refolded, the IOP connection) and 0009
        // (issue 29: OCPI requests by id) and 0010 (issue 30: OCPP 2.0.1 remoteStartIds) were applied now.
        #expect(Set(migrations.prefix(5).map { $0[2] }).count == 1, "a migration was applied again: \(migrations)")
        #expect(migrations.last?[2] != migrations.first?[2])

        let verify = try await CLI.ledger("verify", "--db", path)
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let replay = try await CLI.ledger("replay", "--db", path)
        #expect(replay.status == 0 && replay.stdout.hasPrefix("ok "), "\(replay.stdout)")

        // Exactly the projections a new import of the same log has with this binary.
        let expected = try JSONValue(parsing: Data(contentsOf: try GoldenLogTests.golden("dispute_two_authorizations_three_cdrs", "expected.json")))
        #expect(try await SQLiteEventStore(path: path, readModels: ProjectionEngine()).closing { try await $0.projectionDump() } == expected)

        // Its CDRs (recorded with total_cost 0, before pricing) read back exactly as they were
        // recorded; the sessions now also show their meter readings.
        let audit = try await CLI.ledger("audit", "--session", "SES-5", "--db", path, "--json")
        #expect(audit.status == 0)
        func cdrs(_ text: String) throws -> [JSONValue] {
            guard case .array(let reports) = try JSONValue(parsing: text) else { return [] }
            return reports.compactMap { $0["cdrs"] }
        }
        let before = try cdrs(try String(contentsOf: try Self.fixture("dispute.audit.json"), encoding: .utf8))
        #expect(!before.isEmpty)
        #expect(try cdrs(audit.stdout) == before)
    }
}
