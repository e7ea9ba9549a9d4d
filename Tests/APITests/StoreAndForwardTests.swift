import API
import Domain
import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

/// Gireve's store-and-forward (gireve-iop.md §8): through an outage everything arrives later, in
/// order per session, exactly once; an OCPI 2xxx answer parks one message without holding others.
@Suite("Store and forward to the IOP", .serialized)
struct StoreAndForwardTests {
    /// Drives one charge (remote start, transaction, stop) on `chargePoint`; returns the session id.
    func charge(_ server: ServerHarness, _ iop: IOPStandIn, chargePoint: String, evse: String, name: String) async throws -> String {
        let charger = try await ChargerSimulator(id: chargePoint, port: server.port, mode: "accept")
        defer { charger.stop() }
        let start = try Requests.vector(
            "G-01",
            responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/\(name)",
            replacing: ["evse_uid": .string(evse)]
        )
        #expect(try await server.command("START_SESSION", start).result == "ACCEPTED")
        try await charger.waitFor("the CALL") { $0["event"]?.stringValue == "call" }
        try await charger.waitFor("the CALL answered") { $0["event"]?.stringValue == "answer" }
        charger.send(#"{"send":"StartTransaction","connector":1,"id_tag":"APP-7Q2M4K9X","meter_start":0}"#)
        let started = try await charger.waitFor("the transaction id") {
            $0["action"]?.stringValue == "StartTransaction" && $0["event"]?.stringValue == "result"
        }
        let transactionId = try #require(started["transaction_id"]?.int64Value)
        charger.send(#"{"send":"StopTransaction","transaction_id":\#(transactionId),"meter_stop":7300}"#)
        try await charger.waitFor("stop answered") { $0["action"]?.stringValue == "StopTransaction" && $0["event"]?.stringValue == "result" }
        return String(transactionId)
    }

    @Test("a receiver that hangs holds only its own lane: other deliveries go out meanwhile")
    func hangingReceiver() async throws {
        let iop = try await IOPStandIn()
        iop.answer { _, path in path.hasSuffix("/hangs") ? .hold : nil }
        try await ServerHarness.with(iop: iop.url) { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            for name in ["hangs", "answers"] {
                let start = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/\(name)")
                #expect(try await server.command("START_SESSION", start).result == "ACCEPTED")
                try await charger.waitFor("the CALL answered", count: name == "hangs" ? 1 : 2) { $0["event"]?.stringValue == "answer" }
            }
            // Well inside the transport's 15 s read timeout, which is all the hanging one gets.
            try await iop.requests.wait(upTo: 5, "the second result while the first hangs") { $0.contains { $0.path.hasSuffix("/answers") } }
            #expect(!iop.requests.items.contains { $0.path.hasSuffix("/hangs") })
            iop.releaseHeld()
            try await iop.requests.wait("the first result, once answered") { $0.contains { $0.path.hasSuffix("/hangs") } }
            _ = try await server.waitForEvents("DeliverySucceeded", count: 2, matching: ServerHarness.outsideEvseLanes)
        }
    }

    /// Regression (found by the soak): an attempt recorded while the outbox was reading the lane
    /// heads was started a second time, because the heads were older than the check of what
    /// was under way — two DeliverySucceeded for one delivery, and a duplicate at the IOP.
    @Test("many deliveries due at once, ending while the outbox reads its lanes: each sent and recorded exactly once")
    func manyDeliveriesAtOnce() async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(iop: iop.url) { server in
            let count = 300
            for index in 0..<count {
                let scheduled = DeliveryScheduled(
                    deliveryId: "burst-\(index)",
                    kind: .commandResult,
                    target: "response_url:burst-\(index)",
                    method: "POST",
                    url: "\(iop.url)/burst/\(index)",
                    body: #"{"result":"ACCEPTED"}"#
                )
                _ = try await server.store.append(
                    [try EventCoding.newEvent(scheduled, metadata: EventMetadata(source: "test"))],
                    to: "delivery-burst-\(index)",
                    expectedVersion: .noStream
                )
            }
            _ = try await server.waitForEvents("DeliverySucceeded", count: count)
            #expect(try await server.events("DeliveryAttempted").count == count)
            #expect(Set(iop.requests.items.map(\.path)).count == count && iop.requests.items.count == count)
        }
    }

    @Test("the IOP down for a while: every message arrives later, in order, exactly once", arguments: StoreKind.available)
    func outage(kind: StoreKind) async throws {
        let iop = try await IOPStandIn()
        iop.answer(.httpStatus(503))
        try await ServerHarness.with(kind, iop: iop.url) { server in
            let session = try await charge(server, iop, chargePoint: "CP-0042-A", evse: "EVSE-0042-01", name: "outage")
            try await iop.requests.wait("a refused Session PUT") { $0.contains { $0.method == "PUT" && $0.refusedWith != nil } }
            // Still down: move past the outbox's backoff — the retries fail again.
            let refusedBefore = iop.requests.items.count
            _ = try await server.advance(iop, by: 2_000, until: "the retries") { $0.count >= refusedBefore + 2 }
            // Back up; ten minutes later every backoff has passed.
            iop.answer(.success)
            let delivered = try await server.advance(iop, by: 600_000, until: "result, PUT, PATCH and CDR accepted") {
                $0.filter { $0.refusedWith == nil }.count == 4
            }.filter { $0.refusedWith == nil }
            let lane = delivered.filter { $0.path.contains("/sessions/") || $0.path.hasSuffix("/cdrs") }
            #expect(lane.map(\.method) == ["PUT", "PATCH", "POST"], "\(lane.map(\.path))")
            #expect(lane.allSatisfy { $0.body?["authorization_id"]?.stringValue == "b3f1c9e2-7a4d-4e8b-9c21-5d7e0a6f3b48" })
            #expect(lane[2].body?["id"]?.stringValue == "CDR-\(session)")
            #expect(delivered.filter { $0.body?["result"] != nil }.count == 1)
            let sessionLanes = ServerHarness.outsideEvseLanes
            _ = try await server.waitForEvents("DeliverySucceeded", count: 4, matching: sessionLanes)
            let attempts = try await server.events("DeliveryAttempted").filter(sessionLanes).count
            #expect(attempts > 4)  // the failures are in the ledger too
            let pending = try await server.store.withProjectionSnapshot {
                try $0.rows("SELECT count(*) FROM deliveries WHERE status != 'delivered' AND target NOT LIKE 'evse:%'").first?.first
            }
            #expect(pending == .integer(0))
            // The dispute view shows the delivery history: the failed attempts and the success.
            let report = try #require(
                try await Projections.Audit.report(authorizationId: "b3f1c9e2-7a4d-4e8b-9c21-5d7e0a6f3b48", store: server.store)
            )
            #expect(report.deliveries.count == 4 && report.deliveries.allSatisfy { $0.status == .delivered })
            // The result and the PUT were tried during the outage; PATCH and CDR waited behind the PUT.
            #expect(report.deliveries.filter { $0.attempts > 1 }.map(\.scheduled.kind.rawValue).sorted() == ["command_result", "session_put"])
        }
    }

    @Test("an OCPI 2xxx answer parks that message for review and holds its session's queue, while other sessions flow")
    func parking() async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(iop: iop.url) { server in
            // The first session's PUT is refused with 2001; everything else is accepted.
            iop.answer { method, path in method == "PUT" && path.hasSuffix("/sessions/FR/ABC/1") ? .ocpiError(2001) : nil }
            let first = try await charge(server, iop, chargePoint: "CP-0042-A", evse: "EVSE-0042-01", name: "first")
            let second = try await charge(server, iop, chargePoint: "CP-0042-B", evse: "EVSE-0042-02", name: "second")
            #expect(first == "1" && second == "2")
            try await iop.requests.wait("the second session's CDR") { $0.contains { $0.body?["id"]?.stringValue == "CDR-2" } }
            let parked = try await server.waitForEvent("DeliveryParked")
            #expect(parked.data.value["reason"]?.stringValue == "receiver answered OCPI 2001")
            // The first session's PATCH and CDR wait behind its parked PUT; nothing is retried in a loop.
            #expect(!iop.requests.items.contains { $0.path.hasSuffix("/sessions/FR/ABC/1") && $0.method == "PATCH" })
            #expect(!iop.requests.items.contains { $0.body?["id"]?.stringValue == "CDR-1" })
            #expect(iop.requests.items.filter { $0.path.hasSuffix("/sessions/FR/ABC/1") }.count == 1)
            let secondLane = iop.accepted.filter { $0.path.hasSuffix("/sessions/FR/ABC/2") || $0.body?["id"]?.stringValue == "CDR-2" }
            #expect(secondLane.map(\.method) == ["PUT", "PATCH", "POST"])
        }
    }
}
