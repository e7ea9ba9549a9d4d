import Foundation
import Testing

/// `ledger demo --exit`: the scripted day runs against the real server in a child process and
/// leaves a ledger that verifies and replays. Its one real wait is the silent charger's
/// 1-second command timeout — the behaviour being shown.
@Suite("ledger demo")
struct DemoTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the scripted day runs end to end: a TIMEOUT, three CDRs delivered after the outage, verify and replay clean, the ops URL")
    func scriptedDay() async throws {
        let demo = try LineProcess(ServeProcess.ledger, [
            "demo", "--port", "0", "--exit", "--command-timeout", "1",
            "--locations", Self.root.appending(path: "examples/locations.json").path(),
            "--dispute-log", Self.root.appending(path: "Tests/ProjectionsTests/Golden/dispute_two_authorizations_three_cdrs.ndjson").path(),
        ])
        defer { demo.kill() }
        let lines = try await demo.lines.wait(upTo: 90, "the day's summary and the ops URL") { lines in
            lines.contains { $0.hasPrefix("Gireve's dispute: http://127.0.0.1:") } || lines.contains { $0.hasPrefix("the demo day stopped") }
        }
        let output = lines.joined(separator: "\n")
        #expect(!output.contains("the demo day stopped"), "\(output)")
        #expect(output.contains("imported Gireve's \"2 authorizations, 3 CDRs\" dispute as recorded: 38 events"))
        #expect(output.contains("commands that timed out: 1; CDRs the IOP accepted: 3"), "\(output)")
        #expect(output.contains("verify: ok; replay: identical"), "\(output)")
        #expect(output.contains("/ops/ and log in with your name and the ops token"))
    }
}
