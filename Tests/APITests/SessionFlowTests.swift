import API
import Domain
import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

/// OCPP transactions become Sessions and CDRs that carry the authorization's `authorization_id`,
/// pushed to a loopback IOP in order (PUT, PATCH, CDR) — with the Python charger simulator.
@Suite("Sessions and CDRs from OCPP transactions", .serialized)
struct SessionFlowTests {
    static let authorization = "b3f1c9e2-7a4d-4e8b-9c21-5d7e0a6f3b48"

    /// A remote start (vector `vector`) accepted by the charger, then a transaction with one meter
    /// reading and a stop; returns what the IOP received for the session and the ledger.
    func charge(
        vector: String,
        meterStop: Int = 19456,
        remoteStop: Bool = false,
        on kind: StoreKind = .sqlite,
        _ check: (ServerHarness, IOPStandIn, Int) async throws -> Void
    ) async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(kind, iop: iop.url) { server in
            let start = try Requests.vector(vector, responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/1")
            let request = try JSONValue(parsing: start)
            let idTag = try #require(request["token"]?["uid"]?.stringValue)
            // examples/locations.json: EVSE-0042-01 is CP-0042-A's connector 1, EVSE-0042-02 is CP-0042-B's.
            let chargePoint = request["evse_uid"]?.stringValue == "EVSE-0042-02" ? "CP-0042-B" : "CP-0042-A"
            let charger = try await ChargerSimulator(id: chargePoint, port: server.port, mode: "accept")
            defer { charger.stop() }
            #expect(try await server.command("START_SESSION", start).result == "ACCEPTED")
            try await iop.requests.wait("the command result") { $0.contains { $0.body?["result"] != nil } }
            charger.send(#"{"send":"StartTransaction","connector":1,"id_tag":"\#(idTag)","meter_start":1000}"#)
            let started = try await charger.waitFor("the transaction id") {
                $0["action"]?.stringValue == "StartTransaction" && $0["event"]?.stringValue == "result"
            }
            let transactionId = Int(try #require(started["transaction_id"]?.int64Value))
            charger.send(#"{"send":"MeterValues","connector":1,"transaction_id":\#(transactionId),"value":5000}"#)
            try await charger.waitFor("meter values answered") { $0["action"]?.stringValue == "MeterValues" && $0["event"]?.stringValue == "result" }
            if remoteStop {
                let stop = try Requests.vector(
                    "G-05",
                    responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/STOP_SESSION/1",
                    replacing: ["session_id": .string(String(transactionId))]
                )
                #expect(try await server.command("STOP_SESSION", stop).result == "ACCEPTED")
                try await charger.waitFor("RemoteStopTransaction") {
                    $0["action"]?.stringValue == "RemoteStopTransaction" && $0["event"]?.stringValue == "call"
                }
            }
            charger.send(#"{"send":"StopTransaction","transaction_id":\#(transactionId),"meter_stop":\#(meterStop)}"#)
            try await charger.waitFor("stop answered") { $0["action"]?.stringValue == "StopTransaction" && $0["event"]?.stringValue == "result" }
            try await check(server, iop, transactionId)
        }
    }

    @Test(
        "remote start → Session PUT with the command's authorization_id → remote stop → PATCH COMPLETED → CDR with the same id",
        arguments: StoreKind.available
    )
    func authorizationIdAllTheWay(kind: StoreKind) async throws {
        try await charge(vector: "G-01", remoteStop: true, on: kind) { server, iop, transactionId in
            let pushes = try await iop.requests.wait("PUT, PATCH and CDR") {
                $0.filter { $0.path.contains("/sessions/") || $0.path.hasSuffix("/cdrs") }.count == 3
            }
            .filter { $0.path.contains("/sessions/") || $0.path.hasSuffix("/cdrs") }
            #expect(pushes.map(\.method) == ["PUT", "PATCH", "POST"])
            let (put, patch, cdr) = (try #require(pushes[0].body), try #require(pushes[1].body), try #require(pushes[2].body))
            #expect(pushes[0].path == "/ocpi/emsp/2.1.1/sessions/FR/ABC/\(transactionId)")
            #expect(pushes[0].authorization == "Token \(ServerHarness.iopToken)")
            #expect(put["authorization_id"]?.stringValue == Self.authorization)
            #expect(put["status"]?.stringValue == "ACTIVE" && put["kwh"]?.int64Value == 0)
            #expect(put["auth_id"]?.stringValue == "FR*XYZ*C0012345*6")
            #expect(
                put["location"]?["evses"]
                    == .array([try #require(put["location"]?["evses"].flatMap { if case .array(let e) = $0 { e.first } else { nil } })])
            )
            #expect(put["location"]?["evses"]?.canonicalText.contains("\"ocpp\"") == false)
            #expect(patch["status"]?.stringValue == "COMPLETED")
            #expect(patch["kwh"] == .number("18.456"))
            #expect(patch["authorization_id"]?.stringValue == Self.authorization)
            #expect(cdr["id"]?.stringValue == "CDR-\(transactionId)")
            #expect(cdr["authorization_id"]?.stringValue == Self.authorization)
            #expect(cdr["total_energy"] == .number("18.456"))
            #expect(cdr["stop_date_time"]?.stringValue?.hasSuffix("Z") == true)

            let bound = try #require(try await server.events("AuthorizationBound").first?.data.value)
            #expect(bound["candidates"]?.int64Value == 1 && bound["authorization_id"]?.stringValue == Self.authorization)
            let report = try #require(try await Projections.Audit.report(authorizationId: Self.authorization, store: server.store))
            #expect(report.commands.map(\.command) == ["START_SESSION"])
            // The start's and the stop's results (the stop's goes out on its own lane, maybe after the CDR).
            let results = try await iop.requests.wait("both results") { $0.filter { $0.body?["result"] != nil }.count == 2 }
            #expect(results.compactMap { $0.body?["result"]?.stringValue } == ["ACCEPTED", "ACCEPTED"])
            #expect(report.sessions.map(\.status) == [.completed])
            #expect(report.cdrs.map(\.cdrId) == ["CDR-\(transactionId)"])
            #expect(report.anomalies.isEmpty, "\(report.anomalies)")
        }
    }

    @Test("a start without authorization_id (G-03) leaves the key out of the Session PUT, PATCH and CDR")
    func noAuthorizationId() async throws {
        try await charge(vector: "G-03") { _, iop, _ in
            let pushes = try await iop.requests.wait("PUT, PATCH and CDR") {
                $0.filter { $0.path.contains("/sessions/") || $0.path.hasSuffix("/cdrs") }.count == 3
            }
            .filter { $0.path.contains("/sessions/") || $0.path.hasSuffix("/cdrs") }
            for push in pushes {
                #expect(push.body?["authorization_id"] == nil, "\(push.method) \(push.path) carries authorization_id")
                #expect(push.body?.canonicalText.contains("authorization_id") == false)
            }
        }
    }

    @Test("a StopTransaction whose meter went backwards ends the session but invents no CDR")
    func meterBackwards() async throws {
        try await charge(vector: "G-01", meterStop: 900) { server, iop, _ in
            let anomaly = try await server.waitForEvent("TransactionAnomaly")
            #expect(anomaly.data.value["reason"]?.stringValue?.contains("no CDR issued") == true)
            #expect(try await server.events("CdrIssued").isEmpty)
            #expect(try await server.events("SessionEnded").count == 1)
            let flags = try await server.store.withProjectionSnapshot { try $0.rows("SELECT kind FROM anomalies").compactMap { $0.first?.text } }
            #expect(flags.contains("session_without_cdr"))
            #expect(iop.pushes.allSatisfy { !$0.path.hasSuffix("/cdrs") })
        }
    }

    /// Found by the soak: a charger whose connection dropped before our answer arrived sends the
    /// transaction message again, and each resent StartTransaction opened a session that never ended.
    @Test("a StartTransaction and a StopTransaction sent again (their answers lost) get the same answers: one session, one CDR, no anomaly")
    func resentTransactionMessages() async throws {
        try await ServerHarness.with { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            // Charger times near the ledger's: one far off would (rightly) be flagged as implausible.
            let (startedAt, secondLater, minuteLater) = (
                server.clock.now(), server.clock.now().adding(milliseconds: 1000),
                server.clock.now().adding(milliseconds: 60_000)
            )
            let start = #"{"send":"StartTransaction","connector":1,"id_tag":"RFID-77","meter_start":1200,"timestamp":"\#(startedAt.iso8601)"}"#
            let first = try await charger.call("StartTransaction", start)
            let again = try await charger.call("StartTransaction", start)
            let transactionId = try #require(first["transaction_id"]?.int64Value)
            #expect(again["transaction_id"]?.int64Value == transactionId)
            // Another start on the same connector (a later time) is a new transaction — flagged, as the first is still open.
            let later = try await charger.call("StartTransaction", start.replacingOccurrences(of: startedAt.iso8601, with: secondLater.iso8601))
            #expect(later["transaction_id"]?.int64Value != transactionId)

            let stop = #"{"send":"StopTransaction","transaction_id":\#(transactionId),"meter_stop":5400,"timestamp":"\#(minuteLater.iso8601)"}"#
            for _ in 0..<2 {
                let answer = try await charger.call("StopTransaction", stop)
                #expect(answer["payload"]?["idTagInfo"]?["status"]?.stringValue == "Accepted")
            }
            // A stop with another meter reading is not a resend: that one is an anomaly.
            _ = try await charger.call("StopTransaction", stop.replacingOccurrences(of: "5400", with: "5500"))
            #expect(try await server.events("SessionStarted").count == 2)
            #expect(try await server.events("SessionEnded").count == 1)
            #expect(try await server.events("CdrIssued").count == 1)
            // The second start while the first was open, and the stop that is not a resend.
            #expect(try await server.events("TransactionAnomaly").count == 2)
            let repeats = try await server.events("TransactionMessageRepeated").map(\.data.value)
            #expect(repeats.map { $0["action"]?.stringValue } == ["StartTransaction", "StopTransaction"])
            #expect(repeats.allSatisfy { $0["session_id"]?.stringValue == String(transactionId) })
            #expect(repeats.first?["matched_on"]?.canonicalText == #"["open","connector","id_tag","meter_start","timestamp"]"#)
        }
    }

    /// Found by a new user: a transaction ended and a new one started in the same second, with
    /// the same tag and an unchanged meter (a driver retrying at once, a 0 kWh charge), was taken
    /// for a resend of the ended one — no session, no CDR. Only an open transaction is resent.
    @Test("stopped, then started again in the same second with the same tag and meter, three times: three transactions, Sessions and CDRs")
    func startAgainInTheSameSecond() async throws {
        try await ServerHarness.with { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            let second = server.clock.now().iso8601
            var transactions: [Int64] = []
            for _ in 0..<3 {
                let started = try await charger.call(
                    "StartTransaction",
                    #"{"send":"StartTransaction","connector":1,"id_tag":"RFID-77","meter_start":1200,"timestamp":"\#(second)"}"#
                )
                let transactionId = try #require(started["transaction_id"]?.int64Value)
                transactions.append(transactionId)
                let stopped = try await charger.call(
                    "StopTransaction",
                    #"{"send":"StopTransaction","transaction_id":\#(transactionId),"meter_stop":1200,"timestamp":"\#(second)"}"#
                )
                #expect(stopped["payload"]?["idTagInfo"]?["status"]?.stringValue == "Accepted")
            }
            #expect(Set(transactions).count == 3, "\(transactions)")
            var sessions: [SessionsProjection.State?] = []
            for transactionId in transactions { sessions.append(try await server.store.state(SessionsProjection.self, String(transactionId))) }
            #expect(sessions.map { $0?.status } == [.completed, .completed, .completed])
            #expect(sessions.map { $0?.cdrs.count } == [1, 1, 1])
            #expect(try await server.events("CdrIssued").count == 3)
            #expect(try await server.events("TransactionMessageRepeated").isEmpty)
            #expect(try await server.events("TransactionAnomaly").isEmpty)
        }
    }

    @Test("a StopTransaction for an unknown transaction is answered, recorded, and nothing is invented")
    func unknownTransaction() async throws {
        try await ServerHarness.with { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            charger.send(#"{"send":"StopTransaction","transaction_id":4242,"meter_stop":100}"#)
            let answer = try await charger.waitFor("stop answered") {
                $0["action"]?.stringValue == "StopTransaction" && $0["event"]?.stringValue == "result"
            }
            #expect(answer["payload"]?["idTagInfo"]?["status"]?.stringValue == "Accepted")
            let anomaly = try await server.waitForEvent("TransactionAnomaly")
            #expect(anomaly.data.value["transaction_id"]?.int64Value == 4242)
            #expect(try await server.events("CdrIssued").isEmpty)
        }
    }

    @Test("a charger cannot stop or meter another charger's transaction: answered, recorded, the session untouched")
    func anotherChargersTransaction() async throws {
        try await ServerHarness.with { server in
            let owner = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { owner.stop() }
            let intruder = try await ChargerSimulator(id: "CP-0042-B", port: server.port, mode: "accept")
            defer { intruder.stop() }
            owner.send(#"{"send":"StartTransaction","connector":1,"id_tag":"04A1B2C3D4E5F6","meter_start":0}"#)
            let started = try await owner.waitFor("the transaction id") {
                $0["action"]?.stringValue == "StartTransaction" && $0["event"]?.stringValue == "result"
            }
            let transactionId = try #require(started["payload"]?["transactionId"]?.int64Value)
            intruder.send(#"{"send":"MeterValues","transaction_id":\#(transactionId),"value":99999}"#)
            intruder.send(#"{"send":"StopTransaction","transaction_id":\#(transactionId),"meter_stop":99999}"#)
            try await intruder.waitFor("stop answered") { $0["action"]?.stringValue == "StopTransaction" && $0["event"]?.stringValue == "result" }
            let anomalies = try await server.events("TransactionAnomaly")
            #expect(anomalies.count == 2)
            #expect(anomalies.allSatisfy { $0.data.value["charge_point_id"]?.stringValue == "CP-0042-B" })
            let session = try #require(try await server.store.state(SessionsProjection.self, String(transactionId)))
            #expect(session.status == .active && session.lastMeterWh == 0)
            #expect(try await server.events("CdrIssued").isEmpty)
        }
    }

    @Test("a transaction that starts after its command timed out is still bound and pushed")
    func lateTransactionStillBound() async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(iop: iop.url) { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "silent")
            defer { charger.stop() }
            let start = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/late")
            #expect(try await server.command("START_SESSION", start).result == "ACCEPTED")
            try await charger.waitFor("the CALL") { $0["event"]?.stringValue == "call" }
            server.clock.advance(milliseconds: 30_001)
            try await iop.requests.wait("the TIMEOUT") { !$0.isEmpty }
            charger.send(#"{"send":"StartTransaction","connector":1,"id_tag":"APP-7Q2M4K9X","meter_start":0}"#)
            try await charger.waitFor("the transaction id") {
                $0["action"]?.stringValue == "StartTransaction" && $0["event"]?.stringValue == "result"
            }
            let put = try await iop.requests.wait("the Session PUT") { $0.contains { $0.method == "PUT" } }.first { $0.method == "PUT" }
            #expect(put?.body?["authorization_id"]?.stringValue == Self.authorization)
            #expect(iop.results == ["TIMEOUT"])
        }
    }

    @Test("while charging, meter values reach the IOP as a PATCH at most every five minutes")
    func throttledPatches() async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(iop: iop.url) { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            #expect(
                try await server.command(
                    "START_SESSION",
                    try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/t")
                ).result == "ACCEPTED"
            )
            try await charger.waitFor("the CALL answered") { $0["event"]?.stringValue == "answer" }
            charger.send(#"{"send":"StartTransaction","connector":1,"id_tag":"APP-7Q2M4K9X","meter_start":0}"#)
            let started = try await charger.waitFor("the transaction id") {
                $0["action"]?.stringValue == "StartTransaction" && $0["event"]?.stringValue == "result"
            }
            let transactionId = try #require(started["transaction_id"]?.int64Value)
            let answered: @Sendable (JSONValue) -> Bool = { $0["action"]?.stringValue == "MeterValues" && $0["event"]?.stringValue == "result" }
            func meter(_ wattHours: Int) async throws {
                let before = charger.count(answered)
                charger.send(#"{"send":"MeterValues","connector":1,"transaction_id":\#(transactionId),"value":\#(wattHours)}"#)
                try await charger.waitFor("meter values answered", count: before + 1, answered)
            }
            try await meter(1000)  // within five minutes of the PUT: no PATCH
            server.clock.advance(milliseconds: 301_000)
            try await meter(2500)  // five minutes on: one PATCH with the energy so far
            try await meter(3000)  // right after: none
            charger.send(#"{"send":"StopTransaction","transaction_id":\#(transactionId),"meter_stop":4000}"#)
            let pushes = try await iop.requests.wait("PUT, PATCH, PATCH and CDR") {
                $0.filter { $0.path.contains("/sessions/") || $0.path.hasSuffix("/cdrs") }.count == 4
            }
            .filter { $0.path.contains("/sessions/") || $0.path.hasSuffix("/cdrs") }
            #expect(pushes.map(\.method) == ["PUT", "PATCH", "PATCH", "POST"])
            #expect(pushes[1].body?["kwh"] == .number("2.5"))
            #expect(pushes[1].body?["status"] == nil)
            #expect(pushes[1].body?["authorization_id"]?.stringValue == Self.authorization)
            #expect(pushes[2].body?["status"]?.stringValue == "COMPLETED")
        }
    }

    /// The JSON kind of each member: what a receiver's parser cares about.
    static func shape(_ value: JSONValue?) -> [String: String] {
        guard case .object(let members)? = value else { return [:] }
        return members.mapValues { member in
            switch member {
            case .string: "string"
            case .number: "number"
            case .object: "object"
            case .array: "array"
            case .bool: "bool"
            case .null: "null"
            }
        }
    }

    static func vector(_ id: String) throws -> JSONValue {
        try JSONValue(parsing: Data(contentsOf: try #require(Bundle.module.url(forResource: "Vectors/\(id)", withExtension: "json"))))
    }

    @Test(
        "the Session PUT and the CDR have the members and kinds of the spec's vectors (G-09/G-11 with authorization_id, V-09/V-11 without)",
        arguments: [("G-01", "G-09", "G-11"), ("G-03", "V-09", "V-11")]
    )
    func shapes(start: String, sessionVector: String, cdrVector: String) async throws {
        try await charge(vector: start) { _, iop, _ in
            let pushes = try await iop.requests.wait("PUT, PATCH and CDR") {
                $0.filter { $0.path.contains("/sessions/") || $0.path.hasSuffix("/cdrs") }.count == 3
            }
            .filter { $0.path.contains("/sessions/") || $0.path.hasSuffix("/cdrs") }
            #expect(Self.shape(pushes[0].body) == Self.shape(try Self.vector(sessionVector)))
            // total_parking_time is optional (?) in OCPI 2.1.1 and not measured here: the only member the vector has that we leave out.
            var cdrShape = Self.shape(try Self.vector(cdrVector))
            cdrShape["total_parking_time"] = nil
            #expect(Self.shape(pushes[2].body) == cdrShape)
        }
    }

    /// Regression (seen under load): the charger's StartTransaction was processed before its
    /// RemoteStartTransaction answer was recorded, and the session went unbound.
    @Test("a transaction that starts before the charger's answer to the remote start is still bound")
    func transactionBeforeAnswer() async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(iop: iop.url) { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "late")
            defer { charger.stop() }
            #expect(
                try await server.command(
                    "START_SESSION",
                    try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/b")
                ).result == "ACCEPTED"
            )
            try await charger.waitFor("the held CALL") { $0["event"]?.stringValue == "held" }
            charger.send(#"{"send":"StartTransaction","connector":1,"id_tag":"APP-7Q2M4K9X","meter_start":0}"#)
            try await charger.waitFor("the transaction id") {
                $0["action"]?.stringValue == "StartTransaction" && $0["event"]?.stringValue == "result"
            }
            charger.send("release")
            let put = try await iop.requests.wait("the Session PUT") { $0.contains { $0.method == "PUT" } }.first { $0.method == "PUT" }
            #expect(put?.body?["authorization_id"]?.stringValue == Self.authorization)
            try await iop.requests.wait("the ACCEPTED result") { $0.contains { $0.body?["result"] != nil } }
            #expect(iop.results == ["ACCEPTED"])
        }
    }
}
