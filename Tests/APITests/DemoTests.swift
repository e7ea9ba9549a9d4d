import Foundation
import LedgerTesting
import Testing

/// `ledger demo --exit`: the scripted day runs against the real server in a child process and
/// leaves a ledger that verifies and replays. Its one real wait is the silent charger's
/// 1-second command timeout — the behaviour being shown.
@Suite("ledger demo")
struct DemoTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the scripted day runs end to end: a TIMEOUT, the CDRs delivered after the outage and the 2.0.1 station's, verify and replay clean")
    func scriptedDay() async throws {
        let demo = try await StartupTests.ledger([
            "demo", "--port", "0", "--exit", "--command-timeout", "1",
            "--locations", Self.root.appending(path: "examples/locations.json").path(),
            "--dispute-log", Self.root.appending(path: "Tests/ProjectionsTests/Golden/dispute_two_authorizations_three_cdrs.ndjson").path(),
        ])
        let output = demo.stdout
        #expect(demo.status == 0, "\(output)\(demo.stderr)")
        #expect(!output.contains("the demo day stopped"), "\(output)")
        #expect(output.contains("imported Gireve's \"2 authorizations, 3 CDRs\" dispute as recorded: 38 events"))
        #expect(output.contains("commands that timed out: 1; CDRs the IOP accepted: 4"), "\(output)")
        #expect(output.contains("OCPP 2.0.1 station CS-0042-C: remote start on EVSE-0042-03"), "\(output)")
        #expect(output.contains("verify: ok; replay: identical"), "\(output)")
        // With --exit the server is gone at the end: its last line says so, no URL to open is
        // offered, and a clean stop logs nothing.
        #expect(output.hasSuffix("the day ran; the server stopped and its temporary ledger is removed\n"), "\(output)")
        #expect(!output.contains("/ops/"), "\(output)")
        #expect(demo.stderr.isEmpty, "\(demo.stderr)")
    }
}
