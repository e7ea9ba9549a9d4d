import API
import Domain
import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

/// OCPI commands in from the IOP, OCPP 1.6J out to a real charger simulator (Python `ocpp`),
/// results back to `response_url` — all on loopback, the server's clock in the test's hands.
@Suite("Command path end to end", .serialized)
struct CommandPathTests {
    static let chargePoint = "CP-0042-A"

    /// A server, a stand-in for the IOP, and optionally a connected charger in `mode`.
    func scenario(
        charger mode: String?,
        commands: Set<CommandType> = CommandType.gireve,
        on kind: StoreKind = .sqlite,
        _ body: (ServerHarness, IOPStandIn, ChargerSimulator?) async throws -> Void
    ) async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(kind, commands: commands, iop: iop.url) { server in
            let charger = try await mode.asyncMap { try await ChargerSimulator(id: Self.chargePoint, port: server.port, mode: $0) }
            defer { charger?.stop() }
            try await body(server, iop, charger)
        }
    }

    func startSession(_ iop: IOPStandIn, _ name: String = "1") throws -> String {
        try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/\(name)")
    }

    @Test(
        "remote start accepted by the charger: ACCEPTED at once, then {\"result\":\"ACCEPTED\"} at response_url",
        arguments: StoreKind.available
    )
    func accepted(kind: StoreKind) async throws {
        try await scenario(charger: "accept", on: kind) { server, iop, charger in
            let answer = try await server.command("START_SESSION", try startSession(iop))
            #expect(answer.httpStatus == 200 && answer.statusCode == 1000 && answer.result == "ACCEPTED")
            let call = try await charger!.waitFor("RemoteStartTransaction") {
                $0["action"]?.stringValue == "RemoteStartTransaction" && $0["event"]?.stringValue == "call"
            }
            #expect(call["payload"] == .object(["connectorId": .number("1"), "idTag": .string("APP-7Q2M4K9X")]))
            // The CALL is in the ledger byte for byte as the charger received it.
            let dispatched = try #require(try await server.events("CommandDispatched").first)
            #expect(dispatched.data.value["frame"] == call["frame"])
            let posted = try await iop.requests.wait("the async result") { !$0.isEmpty }
            #expect(posted[0].path == "/ocpi/emsp/2.1.1/commands/START_SESSION/1")
            #expect(posted[0].body == .object(["result": .string("ACCEPTED")]))
            #expect(posted[0].authorization == "Token \(ServerHarness.iopToken)")
            let received = try #require(try await server.events("CommandReceived").first)
            #expect(received.data.value["authorization_id"]?.stringValue == "b3f1c9e2-7a4d-4e8b-9c21-5d7e0a6f3b48")
            #expect(try await server.events("ChargerResponded").count == 1)
        }
    }

    @Test("the charger rejects: REJECTED at response_url")
    func rejected() async throws {
        try await scenario(charger: "reject") { server, iop, _ in
            #expect(try await server.command("START_SESSION", try startSession(iop)).result == "ACCEPTED")
            try await iop.requests.wait("the async result") { !$0.isEmpty }
            #expect(iop.results == ["REJECTED"])
        }
    }

    @Test("a silent charger: TIMEOUT at response_url once the deadline passes, exactly once", arguments: StoreKind.available)
    func silentTimesOut(kind: StoreKind) async throws {
        try await scenario(charger: "silent", on: kind) { server, iop, charger in
            #expect(try await server.command("START_SESSION", try startSession(iop)).result == "ACCEPTED")
            try await charger!.waitFor("the CALL") { $0["event"]?.stringValue == "call" }
            #expect(iop.requests.items.isEmpty)
            server.clock.advance(milliseconds: 30_001)
            try await iop.requests.wait("the TIMEOUT") { !$0.isEmpty }
            #expect(iop.results == ["TIMEOUT"])
            #expect(try await server.events("CommandTimedOut").count == 1)
        }
    }

    @Test("an answer after the timeout is recorded as LateChargerResponse and sends no second result")
    func lateAnswer() async throws {
        try await scenario(charger: "late") { server, iop, charger in
            #expect(try await server.command("START_SESSION", try startSession(iop)).result == "ACCEPTED")
            try await charger!.waitFor("the held CALL") { $0["event"]?.stringValue == "held" }
            server.clock.advance(milliseconds: 30_001)
            try await iop.requests.wait("the TIMEOUT") { !$0.isEmpty }
            charger!.send("release")
            try await charger!.waitFor("the late answer") { $0["event"]?.stringValue == "answer" }
            let late = try await server.waitForEvent("LateChargerResponse")
            #expect(late.data.value["result"]?.stringValue == "ACCEPTED")
            // The outbox has nothing else to send: the TIMEOUT stays the one result.
            #expect(iop.results == ["TIMEOUT"])
            #expect(try await server.events("CommandResultQueued").count == 1)
        }
    }

    @Test("the charger disconnects mid-command: recorded, and the result is TIMEOUT")
    func disconnectMidCommand() async throws {
        try await scenario(charger: "disconnect") { server, iop, _ in
            #expect(try await server.command("START_SESSION", try startSession(iop)).result == "ACCEPTED")
            let gone = try await server.waitForEvent("ChargePointDisconnected")
            #expect(gone.data.value["charge_point_id"]?.stringValue == Self.chargePoint)
            server.clock.advance(milliseconds: 30_001)
            try await iop.requests.wait("the TIMEOUT") { !$0.isEmpty }
            #expect(iop.results == ["TIMEOUT"])
        }
    }

    @Test("an offline charger: REJECTED at once, nothing dispatched, no async result")
    func offline() async throws {
        try await scenario(charger: nil) { server, iop, _ in
            let answer = try await server.command("START_SESSION", try startSession(iop))
            #expect(answer.result == "REJECTED")
            #expect(try await server.events("CommandDispatched").isEmpty)
            #expect(try await server.events("CommandAnswered").count == 1)
        }
    }

    @Test("a repeated command gets the original answer and is not sent again; another body is a 2001 conflict")
    func repeatedCommand() async throws {
        try await scenario(charger: "accept") { server, iop, charger in
            let body = try startSession(iop)
            let first = try await server.command("START_SESSION", body)
            let second = try await server.command("START_SESSION", body)
            #expect(first.result == "ACCEPTED" && second.result == "ACCEPTED" && second.statusCode == 1000)
            try await iop.requests.wait("the async result") { !$0.isEmpty }
            let conflicting = try Requests.vector(
                "G-01",
                responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/1",
                replacing: ["evse_uid": .string("EVSE-0042-02")]
            )
            let third = try await server.command("START_SESSION", conflicting)
            #expect(third.statusCode == 2001)
            #expect(charger!.count { $0["event"]?.stringValue == "call" } == 1)
            let answers = try await server.events("CommandAnswered").map { $0.data.value }
            #expect(answers.count == 3)
            #expect(answers[1]["duplicate_of"] != nil && answers[2]["duplicate_of"] != nil)
            #expect(iop.results == ["ACCEPTED"])
        }
    }

    @Test("copies of one command arriving together: one CALL, one result, every copy gets the first one's answer")
    func concurrentRepeats() async throws {
        try await scenario(charger: "accept") { server, iop, charger in
            let body = try startSession(iop)
            let answers = try await withThrowingTaskGroup(of: ServerHarness.Answer.self) { group in
                for _ in 0..<8 { group.addTask { try await server.command("START_SESSION", body) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.result == "ACCEPTED" && $0.statusCode == 1000 })
            try await iop.requests.wait("the async result") { !$0.isEmpty }
            #expect(try await server.events("CommandDispatched").count == 1)
            let recorded = try await server.events("CommandAnswered").map { $0.data.value }
            #expect(recorded.count == 8)
            #expect(recorded.filter { $0["duplicate_of"] != nil }.count == 7)
            #expect(charger!.count { $0["event"]?.stringValue == "call" } == 1)
            #expect(iop.results == ["ACCEPTED"])
        }
    }

    @Test("STOP_SESSION of a running session sends RemoteStopTransaction with its transaction id")
    func stopRunningSession() async throws {
        try await scenario(charger: "accept") { server, iop, charger in
            // The session as issue 5's StartTransaction handling records it.
            let started = SessionStarted(
                sessionId: "SES-20240312-000187",
                chargePointId: Self.chargePoint,
                connectorId: 1,
                transactionId: 15,
                idTag: "APP-7Q2M4K9X",
                locationId: "LOC-PARIS-0042",
                evseUid: "EVSE-0042-01",
                authId: "FR*XYZ*C0012345*6",
                authMethod: "AUTH_REQUEST",
                startedAt: server.clock.now(),
                meterStartWh: 0,
                currency: "EUR"
            )
            _ = try await server.store.append(
                [try EventCoding.newEvent(started, metadata: EventMetadata(source: "ocpp:\(Self.chargePoint)"))],
                to: "session-SES-20240312-000187",
                expectedVersion: .noStream
            )
            let stop = try Requests.vector("G-05", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/STOP_SESSION/1")
            #expect(try await server.command("STOP_SESSION", stop).result == "ACCEPTED")
            let call = try await charger!.waitFor("RemoteStopTransaction") {
                $0["action"]?.stringValue == "RemoteStopTransaction" && $0["event"]?.stringValue == "call"
            }
            #expect(call["payload"] == .object(["transactionId": .number("15")]))
            try await iop.requests.wait("the async result") { !$0.isEmpty }
            #expect(iop.results == ["ACCEPTED"])
        }
    }
}

extension ServerHarness {
    /// Waits (without polling) until an event of `type` (that `matching` accepts) is in the log.
    func waitForEvent(
        _ type: String,
        upTo seconds: Double = 30,
        matching: @escaping @Sendable (RecordedEvent) -> Bool = { _ in true }
    ) async throws -> RecordedEvent {
        try await waitForEvents(type, count: 1, upTo: seconds, matching: matching)[0]
    }

    /// A delivery event of any lane but the EVSE status PATCHes, which every charger's boot makes
    /// (with an IOP) in lanes of their own: for tests that follow a command or a session.
    static let outsideEvseLanes: @Sendable (RecordedEvent) -> Bool = {
        !($0.data.value["delivery_id"]?.stringValue?.hasPrefix("evse-status-") ?? false)
    }

    /// Waits (without polling) until `count` events of `type` (that `matching` accepts) are in the log.
    func waitForEvents(
        _ type: String,
        count: Int,
        upTo seconds: Double = 30,
        matching: @escaping @Sendable (RecordedEvent) -> Bool = { _ in true }
    ) async throws -> [RecordedEvent] {
        let store = self.store
        return try await withThrowingTaskGroup(of: [RecordedEvent]?.self) { group in
            group.addTask {
                var found: [RecordedEvent] = []
                for try await event in store.subscribe(after: 0) where event.type == type && matching(event) {
                    found.append(event)
                    if found.count == count { return found }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                throw WaitTimedOut(what: "an event \(type)", items: "")
            }
            defer { group.cancelAll() }
            guard let events = try await group.next() ?? nil else { throw WaitTimedOut(what: "\(count) \(type) events", items: "") }
            return events
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

/// RESERVE_NOW and UNLOCK_CONNECTOR, offered when the peer is plain OCPI (`--commands`).
@Suite("Reservations and unlocking (plain OCPI)", .serialized)
struct PlainOCPICommandTests {
    static let all: Set<CommandType> = [.startSession, .stopSession, .reserveNow, .unlockConnector]

    /// UNLOCK_CONNECTOR of CP-0042-A's connector, its result to the IOP stand-in.
    static func unlock(_ iop: IOPStandIn) -> String {
        JSONValue.object([
            "response_url": .string("\(iop.url)/ocpi/emsp/2.1.1/commands/UNLOCK_CONNECTOR/1"), "location_id": .string("LOC-PARIS-0042"),
            "evse_uid": .string("EVSE-0042-01"), "connector_id": .string("1"),
        ]).canonicalText
    }

    @Test("RESERVE_NOW becomes ReserveNow and UNLOCK_CONNECTOR becomes UnlockConnector; the charger's answers come back")
    func reserveAndUnlock() async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(commands: Self.all) { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            let reserve = try Requests.vector(
                "V-01",
                responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/RESERVE_NOW/1",
                replacing: [
                    "expiry_date": .string("2030-01-01T10:00:00Z"), "reservation_id": .number("77"),
                ]
            )
            #expect(try await server.command("RESERVE_NOW", reserve).result == "ACCEPTED")
            let reserveCall = try await charger.waitFor("ReserveNow") {
                $0["action"]?.stringValue == "ReserveNow" && $0["event"]?.stringValue == "call"
            }
            #expect(reserveCall["payload"]?["reservationId"]?.int64Value == 77)
            #expect(reserveCall["payload"]?["idTag"]?.stringValue == "APP-7Q2M4K9X")
            #expect(try await server.command("UNLOCK_CONNECTOR", Self.unlock(iop)).result == "ACCEPTED")
            try await charger.waitFor("UnlockConnector") { $0["action"]?.stringValue == "UnlockConnector" && $0["event"]?.stringValue == "call" }
            try await iop.requests.wait("both results") { $0.count == 2 }
            #expect(iop.results == ["ACCEPTED", "ACCEPTED"])
        }
    }
}
