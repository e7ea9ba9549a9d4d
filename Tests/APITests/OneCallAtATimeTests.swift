import Domain
import Foundation
import Ledger
import LedgerTesting
import Testing

@testable import API

/// OCPP-J's synchronicity rule on our side: a charger never has two of our CALLs unanswered at
/// once (`CallQueue`), yet the IOP's second command is answered at once all the same.
@Suite("One CALL at a time per charger", .serialized)
struct OneCallAtATimeTests {
    static let chargePoint = "CP-0042-A"

    /// A START_SESSION and then an UNLOCK_CONNECTOR for the same charger, both ACCEPTED by the
    /// ledger at once, the charger in `mode`.
    func twoCommands(charger mode: String, _ body: (ServerHarness, IOPStandIn, ChargerSimulator) async throws -> Void) async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(commands: PlainOCPICommandTests.all, iop: iop.url) { server in
            let charger = try await ChargerSimulator(id: Self.chargePoint, port: server.port, mode: mode)
            defer { charger.stop() }
            let start = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/1")
            #expect(try await server.command("START_SESSION", start).result == "ACCEPTED")
            try await charger.waitFor("RemoteStartTransaction") {
                $0["action"]?.stringValue == "RemoteStartTransaction" && $0["event"]?.stringValue == "call"
            }
            server.clock.advance(milliseconds: 10_000)
            #expect(try await server.command("UNLOCK_CONNECTOR", PlainOCPICommandTests.unlock(iop)).result == "ACCEPTED")
            // A frame sent before the HTTP answer arrives before the answer to a later Heartbeat.
            _ = try await charger.call("Heartbeat", #"{"send":"Heartbeat"}"#)
            #expect(calls(charger) == ["RemoteStartTransaction"], "the second CALL went out while the first was unanswered")
            try await body(server, iop, charger)
        }
    }

    func calls(_ charger: ChargerSimulator) -> [String] {
        charger.lines { $0["event"]?.stringValue == "call" }.compactMap { $0["action"]?.stringValue }
    }

    @Test("a second command waits for the charger's answer to the first, then goes; both results reach the IOP")
    func secondWaitsForAnswer() async throws {
        try await twoCommands(charger: "late") { server, iop, charger in
            charger.send("release")
            try await charger.waitFor("UnlockConnector") { $0["action"]?.stringValue == "UnlockConnector" && $0["event"]?.stringValue == "held" }
            #expect(calls(charger) == ["RemoteStartTransaction", "UnlockConnector"])
            charger.send("release")
            try await iop.requests.wait("both results") { $0.count == 2 }
            #expect(iop.results == ["ACCEPTED", "ACCEPTED"])
            #expect(try await server.events("ChargerResponded").count == 2)
        }
    }

    @Test("a charger that never answers holds the second CALL only until the first one's deadline; each command then times out on its own")
    func silentChargerReleasesAtDeadline() async throws {
        try await twoCommands(charger: "silent") { server, iop, charger in
            server.clock.advance(milliseconds: 20_001)  // the first deadline (30 s) has passed, not the second (40 s)
            try await charger.waitFor("UnlockConnector") { $0["action"]?.stringValue == "UnlockConnector" && $0["event"]?.stringValue == "call" }
            try await iop.requests.wait("the first TIMEOUT") { !$0.isEmpty }
            #expect(iop.requests.items.map(\.path) == ["/ocpi/emsp/2.1.1/commands/START_SESSION/1"])
            server.clock.advance(milliseconds: 10_000)
            try await iop.requests.wait("the second TIMEOUT") { $0.count == 2 }
            #expect(iop.results == ["TIMEOUT", "TIMEOUT"])
            #expect(calls(charger) == ["RemoteStartTransaction", "UnlockConnector"])
        }
    }

    @Test("a CALL still waiting when its charger disconnects is never sent, not even to the charger once it is back; both commands time out")
    func waitingCallDroppedOnDisconnect() async throws {
        try await twoCommands(charger: "late") { server, iop, charger in
            charger.send(#"{"send":"close"}"#)
            _ = try await server.waitForEvent("ChargePointDisconnected")
            let back = try await ChargerSimulator(id: Self.chargePoint, port: server.port, mode: "accept")
            defer { back.stop() }
            // The first deadline passes (it would have released the second CALL), then the second's.
            server.clock.advance(milliseconds: 20_001)
            try await iop.requests.wait("the first TIMEOUT") { $0.count == 1 }
            _ = try await back.call("Heartbeat", #"{"send":"Heartbeat"}"#)
            server.clock.advance(milliseconds: 10_000)
            try await iop.requests.wait("the second TIMEOUT") { $0.count == 2 }
            #expect(iop.results == ["TIMEOUT", "TIMEOUT"])
            _ = try await back.call("Heartbeat", #"{"send":"Heartbeat"}"#)
            #expect(calls(back).isEmpty, "a CALL queued for the old connection reached the new one")
        }
    }
}

/// The queue itself, with the clock in hand.
@Suite("CallQueue")
struct CallQueueTests {
    let t0 = Timestamp(iso8601: "2026-01-01T00:00:00.000Z")!

    func call(_ id: String, deadline seconds: Int64) -> OutboundCall {
        OutboundCall(commandId: id, action: "UnlockConnector", payload: .object([:]), deadline: t0.adding(milliseconds: seconds * 1000))
    }

    @Test("CALLs go one at a time, in the order they came, each when the one before is answered")
    func inOrder() {
        var queue = CallQueue()
        #expect(queue.offer(call("a", deadline: 30), now: t0).send?.commandId == "a")
        #expect(queue.offer(call("b", deadline: 31), now: t0).send == nil)
        #expect(queue.offer(call("c", deadline: 32), now: t0).send == nil)
        #expect(queue.blockedUntil == t0.adding(milliseconds: 30_000))
        #expect(queue.answered("b", now: t0).send == nil, "an answer to a CALL not in flight frees nothing")
        #expect(queue.answered("a", now: t0).send?.commandId == "b")
        #expect(queue.answered("b", now: t0).send?.commandId == "c")
        #expect(queue.blockedUntil == nil)
        #expect(queue.answered("c", now: t0).send == nil)
        #expect(queue.inFlight == nil)
    }

    @Test("the CALL in flight stops blocking at its deadline; a waiting CALL whose own deadline passed is dropped, never sent")
    func deadlines() {
        var queue = CallQueue()
        _ = queue.offer(call("a", deadline: 30), now: t0)
        _ = queue.offer(call("b", deadline: 20), now: t0)  // e.g. recorded by another instance earlier
        _ = queue.offer(call("c", deadline: 40), now: t0)
        #expect(queue.deadlinePassed(now: t0.adding(milliseconds: 29_999)).send == nil)
        let turn = queue.deadlinePassed(now: t0.adding(milliseconds: 30_000))
        #expect(turn.send?.commandId == "c")
        #expect(turn.expired.map(\.commandId) == ["b"])
        #expect(queue.answered("a", now: t0.adding(milliseconds: 30_001)).send == nil, "a late answer frees nothing")
        #expect(queue.inFlight?.messageId == "c")
    }

    @Test("a CALL offered after the one in flight timed out goes at once, behind none")
    func offeredAfterTimeout() {
        var queue = CallQueue()
        _ = queue.offer(call("a", deadline: 30), now: t0)
        #expect(queue.offer(call("b", deadline: 60), now: t0.adding(milliseconds: 30_000)).send?.commandId == "b")
    }
}
