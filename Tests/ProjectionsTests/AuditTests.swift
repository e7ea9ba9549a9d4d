import Domain
import Foundation
import Ledger
import LedgerTesting
import Testing

@Suite("ledger audit")
struct AuditTests {
    static let a = "d1a0b2c3-0000-4aaa-8000-00000000000a"
    static let b = "d1a0b2c3-0000-4bbb-8000-00000000000b"

    @Test(
        "the dispute (2 authorizations, 3 CDRs) is untangled: every CDR of the sessions involved, and the flags",
        arguments: StoreKind.available
    )
    func disputeText(kind: StoreKind) async throws {
        try await ReplayTests.withImportedLedger("dispute_two_authorizations_three_cdrs", kind: kind) { ledger in try await disputeText(ledger.db) }
    }

    private func disputeText(_ db: String) async throws {
        let result = try await CLI.ledger("audit", Self.a, "--db", db)
        #expect(result.status == 0, "\(result.stderr)")
        let text = result.stdout
        // A's own links, and the CDR of its session that carries B.
        #expect(text.contains("Commands (2)"))  // A's, and B's second START_SESSION that bound SES-5
        #expect(text.contains("Sessions (2)"))
        #expect(text.contains("CDRs (3)"))
        for cdr in ["CDR-5 session SES-5", "CDR-5b session SES-5", "CDR-6 session SES-6"] { #expect(text.contains(cdr)) }
        #expect(text.contains("[session_with_several_cdrs] sessions:SES-5: CDRs CDR-5, CDR-5b were issued for one session"))
        #expect(
            text.contains("[authorization_mismatch] sessions:SES-5: CDR CDR-5b carries authorization_id \(Self.a) but the session's is \(Self.b)")
        )
        #expect(text.contains("[several_authorizations_for_session] sessions:SES-5"))
        #expect(text.contains("[authorization_with_several_sessions] authorizations:\(Self.a): linked to sessions SES-5, SES-6"))
        #expect(text.contains("authorizations received: \(Self.a) at 2024-03-12T09:58:00.000Z, \(Self.b) at 2024-03-12T10:03:05.000Z"))
        #expect(text.contains("ocpi CommandReceived: START_SESSION cmd-dispute-a"))
    }

    @Test("--json gives the same report for tools, with the timeline in log order")
    func disputeJSON() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await ReplayTests.importedLedger("dispute_two_authorizations_three_cdrs", in: directory)
        let result = try await CLI.ledger("audit", Self.b, "--db", path, "--json")
        #expect(result.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(report?["authorization_id"] as? String == Self.b)
        let cdrs = (report?["cdrs"] as? [[String: Any]])?.compactMap { $0["cdr_id"] as? String }
        #expect(cdrs == ["CDR-5", "CDR-5b"])
        let positions = (report?["timeline"] as? [[String: Any]])?.compactMap { $0["position"] as? Int } ?? []
        #expect(!positions.isEmpty && positions == positions.sorted())
        let kinds = Set((report?["anomalies"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? [])
        #expect(kinds.isSuperset(of: ["session_with_several_cdrs", "authorization_mismatch", "several_authorizations_for_session"]))
    }

    @Test(
        "each golden case's audit shows its chain",
        arguments: StoreKind.available,
        [
            (
                "remote_start", "b3f1c9e2-7a4d-4e8b-9c21-5d7e0a6f3b48",
                ["received via command cmd-start-1", "SES-1 COMPLETED 18.456 kWh", "CDR-1 session SES-1 18.456 kWh", "Anomalies (0)"]
            ),
            (
                "local_rfid", "4f2a8c1e-6b3d-4e9f-8a7c-2d1e0f9b8a76",
                ["received via authorize 04A1B2C3D4E5F6@CP-0042", "SES-2 COMPLETED 7.0 kWh", "CDR-2 session SES-2"]
            ),
            (
                "command_timeout", "c7d2a4e1-5f3b-4a8c-9e6d-1b0a2f3c4d5e",
                ["status TIMEOUT (charger said ACCEPTED late)", "result TIMEOUT queued", "SES-3 COMPLETED", "LateChargerResponse"]
            ),
        ]
    )
    func goldenAudits(kind: StoreKind, golden: (name: String, authorizationId: String, expected: [String])) async throws {
        try await ReplayTests.withImportedLedger(golden.name, kind: kind) { ledger in
            let result = try await CLI.ledger("audit", golden.authorizationId, "--db", ledger.db)
            #expect(result.status == 0)
            for line in golden.expected { #expect(result.stdout.contains(line), "\(kind) \(golden.name): missing \(line)\n\(result.stdout)") }
        }
    }

    @Test(
        "an unknown authorization_id says so and exits 1; ids are compared exactly",
        arguments: [
            "never-seen", "B3F1C9E2-7A4D-4E8B-9C21-5D7E0A6F3B48", " b3f1c9e2-7a4d-4e8b-9c21-5d7e0a6f3b48",
        ]
    )
    func unknownId(id: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await ReplayTests.importedLedger("remote_start", in: directory)
        let result = try await CLI.ledger("audit", id, "--db", path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no event in \(path) carries authorization_id \(id)"))
        #expect(result.stdout.isEmpty)
    }

    @Test(
        "--session audits every authorization received for the session; --token every session started with the token",
        arguments: StoreKind.available
    )
    func lookups(kind: StoreKind) async throws {
        try await ReplayTests.withImportedLedger("dispute_two_authorizations_three_cdrs", kind: kind) { ledger in try await lookups(ledger.db) }
    }

    private func lookups(_ path: String) async throws {
        func audited(_ arguments: String...) async throws -> [String] {
            let result = try await CLI.ledger(["audit"] + arguments + ["--db", path, "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let reports = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
            return reports?.compactMap { $0["authorization_id"] as? String } ?? []
        }
        // SES-5 received A, then B (a second START_SESSION bound to it): both are audited.
        #expect(try await audited("--session", "SES-5") == [Self.a, Self.b])
        #expect(try await Set(audited("--token", "APP-7Q2M4K9X")) == [Self.a, Self.b])
        let text = try await CLI.ledger("audit", "--session", "SES-5", "--db", path)
        #expect(text.stdout.contains(Self.a) && text.stdout.contains(Self.b))
    }

    @Test(
        "--request-id audits the authorization an OCPI 2.2.1 request was about, received (a command) or sent (a delivery attempt); the timeline names the ids",
        arguments: StoreKind.available
    )
    func requestIds(kind: StoreKind) async throws {
        try await ReplayTests.withImportedLedger("ocpi221_remote_start", kind: kind) { ledger in
            for id in ["req-start-221", "req-result-221"] {
                let result = try await CLI.ledger("audit", "--request-id", id, "--db", ledger.db)
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.stdout.contains("6b1f0d2e-3c4a-4f5b-9e8d-7a6b5c4d3e2f") && result.stdout.contains("CDR-221"))
                #expect(result.stdout.contains("X-Request-ID req-start-221, X-Correlation-ID corr-221, from NL/EMS, to FR/ABC"))
                #expect(result.stdout.contains("X-Request-ID req-result-221"))
            }
            let unknown = try await CLI.ledger("audit", "--request-id", "req-nobody", "--db", ledger.db)
            #expect(unknown.status == 1 && unknown.stderr.contains("no OCPI request with X-Request-ID req-nobody"))
        }
    }

    @Test(
        "a lookup that finds nothing exits 1 saying so; no target or two targets is a usage error",
        arguments: [
            (["--session", "SES-404"], Int32(1), "no session SES-404"),
            (["--token", "NOBODY"], 1, "no session started with token NOBODY"),
            ([], 64, "give one of"),
            ([Self.a, "--session", "SES-5"], 64, "give one of"),
        ]
    )
    func lookupRefusals(arguments: [String], status: Int32, message: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try await ReplayTests.importedLedger("dispute_two_authorizations_three_cdrs", in: directory)
        let result = try await CLI.ledger(["audit"] + arguments + ["--db", path])
        #expect(result.status == status)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
