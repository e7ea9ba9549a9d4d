import Foundation
import Ledger
import LedgerTesting
import TestPrerequisites
import Testing

/// `ledger serve` as a real process, killed with SIGKILL after answering ACCEPTED.
@Suite("kill -9", .serialized)
struct KillNineTests {
    /// The deadline is in the ledger, not in the dead process: the restarted server times the
    /// command out and the TIMEOUT reaches response_url exactly once (its delivery is recorded, so
    /// no later run can send it again).
    @Test("killed after answering ACCEPTED: after the restart the TIMEOUT reaches response_url exactly once")
    func timeoutSurvivesKillNine() async throws {
        let iop = try await IOPStandIn()
        // The first server presents its own token, which the IOP refuses — also for a request
        // already on the wire when it is killed. If its deadline passes before the kill (a slow
        // machine), its TIMEOUT must not be delivered-but-unrecorded: that would legitimately be
        // sent again (at least once is all a crash between POST and record allows).
        iop.refuse(authorization: "Token first-server")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (first, port) = try await ServeProcess.start(directory, timeout: 1, iopToken: "first-server")
        let charger = try await ChargerSimulator(id: "CP-0042-A", port: port, mode: "silent")
        let body = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/killed")
        let answer = try await ServerHarness.post(port: port, command: "START_SESSION", body: body)
        #expect(answer.result == "ACCEPTED")
        try await charger.waitFor("the CALL") { $0["event"]?.stringValue == "call" }
        first.kill(SIGKILL)
        charger.stop()

        let (second, _) = try await ServeProcess.start(directory, timeout: 1)
        try await iop.requests.wait("the TIMEOUT after the restart") { $0.contains { $0.refusedWith == nil } }
        // The server logs a delivery once its success is recorded; then it may die too.
        try await second.lines.wait("the delivery recorded") { $0.contains { $0.contains(": delivered(") } }
        second.kill(SIGKILL)

        #expect(iop.accepted.compactMap { $0.body?["result"]?.stringValue } == ["TIMEOUT"])
        let verifier = try LineProcess(ServeProcess.ledger, ["verify", "--db", directory.path("ledger.sqlite")])
        let verify = try await verifier.lines.wait("verify") { $0.contains { $0.hasPrefix("ok ") || $0.hasPrefix("FAILED") } }
        #expect(verify.contains { $0.hasPrefix("ok ") }, "\(verify)")
        let pending = try await SQLiteEventStore(path: directory.path("ledger.sqlite")).closing { store in
            try await store.withReadDatabase { try $0.rows("SELECT count(*) FROM deliveries WHERE status = 'pending'").first?.first }
        }
        #expect(pending == .integer(0))
    }

    /// Deliveries pending when the server dies are in the outbox projection, not in memory: after a
    /// restart they go out in order, each exactly once.
    @Test("killed with the tariff PUT, the Session PUT, PATCH and CDR still undelivered: after the restart each arrives once, in order")
    func pendingDeliveriesSurviveKillNine() async throws {
        let iop = try await IOPStandIn()
        // The IOP refuses the first server (its token), also a request still on the wire at the kill.
        iop.refuse(authorization: "Token first-server")
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (first, port) = try await ServeProcess.start(directory, timeout: 30, iop: iop.url, iopToken: "first-server")
        let charger = try await ChargerSimulator(id: "CP-0042-A", port: port, mode: "accept")
        let body = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/pending")
        #expect(try await ServerHarness.post(port: port, command: "START_SESSION", body: body).result == "ACCEPTED")
        try await charger.waitFor("the CALL answered") { $0["event"]?.stringValue == "answer" }
        charger.send(#"{"send":"StartTransaction","connector":1,"id_tag":"APP-7Q2M4K9X","meter_start":0}"#)
        let started = try await charger.waitFor("the transaction id") {
            $0["action"]?.stringValue == "StartTransaction" && $0["event"]?.stringValue == "result"
        }
        let transactionId = try #require(started["transaction_id"]?.int64Value)
        charger.send(#"{"send":"StopTransaction","transaction_id":\#(transactionId),"meter_stop":7300}"#)
        // Answered only once the session's end, its CDR and their deliveries are durable.
        try await charger.waitFor("stop answered") { $0["action"]?.stringValue == "StopTransaction" && $0["event"]?.stringValue == "result" }
        first.kill(SIGKILL)
        charger.stop()
        #expect(iop.accepted.isEmpty)

        let (second, _) = try await ServeProcess.start(directory, timeout: 30, iop: iop.url)
        // The tariff the first server published at start-up is still to be PUT too.
        let delivered = try await iop.requests.wait("result, tariff PUT, PUT, PATCH and CDR") { $0.filter { $0.refusedWith == nil }.count == 5 }
            .filter { $0.refusedWith == nil }
        // All five successes recorded (the server logs each once it is), and the Location's PUT
        // and the EVSE's first status PATCHed too (lanes of their own), before this run dies too.
        try await iop.locationPushes.wait("the Location and the EVSE status") { $0.filter { $0.refusedWith == nil }.count >= 2 }
        try await second.lines.wait("the seven deliveries recorded") { $0.filter { $0.contains(": delivered(") }.count >= 7 }
        second.kill(SIGKILL)
        let lane = delivered.filter { $0.path.contains("/sessions/") || $0.path.hasSuffix("/cdrs") }
        #expect(lane.map(\.method) == ["PUT", "PATCH", "POST"])
        #expect(lane[2].body?["id"]?.stringValue == "CDR-\(transactionId)")
        #expect(delivered.filter { $0.body?["result"] != nil }.count == 1)
        #expect(delivered.filter { $0.path.hasSuffix("/tariffs/FR/ABC/TARIFF-AC-22") }.count == 1)
        let pending = try await SQLiteEventStore(path: directory.path("ledger.sqlite")).closing { store in
            try await store.withReadDatabase { try $0.rows("SELECT count(*) FROM deliveries WHERE status != 'delivered'").first?.first }
        }
        #expect(pending == .integer(0))
    }

    /// The other side of "only an open transaction is resent": a charger whose StartTransaction
    /// was recorded but whose answer it never got (the server died) sends the same frame again to
    /// the restarted server, and gets the transaction it already has — not a second session.
    @Test("killed after recording a StartTransaction: the same frame sent again after the restart gets the original transaction id")
    func resentStartAfterKillNine() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let frame =
            #"[2,"start-after-kill","StartTransaction",{"connectorId":1,"idTag":"RFID-77","meterStart":1200,"timestamp":"\#(Timestamp(Date()).iso8601)"}]"#
        let send = JSONValue.object(["send": .string("raw"), "frame": .string(frame)]).canonicalText
        func transactionId(from charger: ChargerSimulator) async throws -> Int64? {
            let reply = try await charger.waitFor("the StartTransaction answer") { $0["event"]?.stringValue == "raw_response" }
            return reply["frame"].flatMap { if case .array(let parts) = $0, parts.count == 3 { parts[2]["transactionId"]?.int64Value } else { nil } }
        }

        let (first, port) = try await ServeProcess.start(directory, timeout: 30)
        let charger = try await ChargerSimulator(id: "CP-0042-A", port: port, mode: "accept")
        charger.send(send)
        let original = try #require(try await transactionId(from: charger))
        first.kill(SIGKILL)
        charger.stop()

        let (second, secondPort) = try await ServeProcess.start(directory, timeout: 30)
        let again = try await ChargerSimulator(id: "CP-0042-A", port: secondPort, mode: "accept")
        again.send(send)
        #expect(try await transactionId(from: again) == original)
        again.stop()
        second.kill(SIGKILL)

        try await SQLiteEventStore(path: directory.path("ledger.sqlite")).closing { store in
            let events = try await store.readAll(after: 0, limit: .max)
            #expect(events.filter { $0.type == "SessionStarted" }.count == 1)
            let repeated = try #require(events.first { $0.type == "TransactionMessageRepeated" }?.data.value)
            #expect(repeated["session_id"]?.stringValue == String(original))
            #expect(repeated["matched_on"]?.canonicalText == #"["open","connector","id_tag","meter_start","timestamp","message_id"]"#)
        }
    }
}

/// One `ledger serve` per ledger file: two would both send every result and CDR.
@Suite("One server per ledger", .serialized)
struct InstanceLockTests {
    @Test("a second `ledger serve` on the same ledger is refused (exit 2, naming the first); after kill -9 of the first a new one starts")
    func secondServerRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (first, _) = try await ServeProcess.start(directory, timeout: 30)
        let second = try await ChildProcess.run(
            "ledger",
            [
                "serve", "--db", directory.path("ledger.sqlite"), "--port", "0", "--locations", ServerHarness.examplesLocations.path(),
                "--tariffs", ServerHarness.examplesTariffs.path(), "--token", ServerHarness.token,
            ],
            executable: ServeProcess.ledger
        )
        #expect(second.status == 2)
        #expect(second.stderr.contains("is already served by another `ledger serve` (pid \(first.processIdentifier))"), "\(second.stderr)")
        first.kill(SIGKILL)
        let (third, _) = try await ServeProcess.start(directory, timeout: 30)
        third.kill(SIGKILL)
    }

    @Test(
        "on PostgreSQL several `ledger serve` share one database: a second one serves beside the first; after kill -9 of the first the second goes on and a new one joins",
        .needsPostgres
    )
    func severalServersOnPostgres() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try await StoreKind.postgres.withScratchLedger { ledger in
            func startSession(on port: Int, _ name: String) async throws {
                let answer = try await ServerHarness.post(
                    port: port,
                    command: "START_SESSION",
                    body: try Requests.vector("G-01", responseURL: "http://127.0.0.1:9/ocpi/emsp/2.1.1/commands/START_SESSION/\(name)")
                )
                #expect(answer.httpStatus == 200 && answer.statusCode == 1000, "\(String(describing: answer.envelope))")
            }
            let (first, firstPort) = try await ServeProcess.start(directory, db: ledger.db, timeout: 30)
            let (second, secondPort) = try await ServeProcess.start(directory, db: ledger.db, timeout: 30)
            try await startSession(on: firstPort, "first")
            try await startSession(on: secondPort, "second")
            first.kill(SIGKILL)
            try await startSession(on: secondPort, "after-the-kill")
            let (third, thirdPort) = try await ServeProcess.start(directory, db: ledger.db, timeout: 30)
            try await startSession(on: thirdPort, "third")
            second.kill(SIGKILL)
            third.kill(SIGKILL)
            let events = try await ChildProcess.run("ledger", ["events", "--db", ledger.db], executable: ServeProcess.ledger)
            #expect(events.stdout.components(separatedBy: "\"CommandAnswered\"").count - 1 == 4)
        }
    }
}
