import API
import Domain
import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

/// The OCPP 1.6J side, against the Python `ocpp` charge point.
@Suite("OCPP 1.6J central system", .serialized)
struct CentralSystemTests {
    @Test("boot and status notifications are answered and recorded; the charge point is known connected")
    func bootAndStatus() async throws {
        try await ServerHarness.with { server in
            let charger = try await ChargerSimulator(id: "CP-0042-B", port: server.port, mode: "accept")
            charger.send(#"{"send":"Heartbeat"}"#)
            let heartbeat = try await charger.waitFor("heartbeat answer") {
                $0["action"]?.stringValue == "Heartbeat" && $0["event"]?.stringValue == "result"
            }
            #expect(heartbeat["payload"]?["currentTime"]?.stringValue?.hasSuffix("Z") == true)
            let state = try await server.store.withProjectionSnapshot {
                try $0.rows("SELECT body, connected FROM chargepoints WHERE key = 'CP-0042-B'").first
            }
            #expect(state?[1] == .integer(1))
            #expect(state?[0].text?.contains(#""1":"Available""#) == true)
            #expect(try await server.events("BootNotified").count == 1)
            charger.stop()
            _ = try await server.waitForEvent("ChargePointDisconnected")
        }
    }

    @Test(
        "a malformed frame gets the proper CALLERROR, is recorded, and the connection stays up",
        arguments: [
            (#"[2,"abc""#, "FormationViolation"),
            (#"{"not":"an array"}"#, "FormationViolation"),
            (#"[2,"m-1","BootNotification",{}]"#, "OccurenceConstraintViolation"),  // a required field missing (OCPP-J 1.6 §4.2.3)
            (#"[2,"m-2","FirmwareUpdateWithLasers",{}]"#, "NotImplemented"),
            (#"[9,"m-3",{}]"#, "ProtocolError"),
        ]
    )
    func malformedFrames(frame: String, code: String) async throws {
        try await ServerHarness.with { server in
            let charger = try await ChargerSimulator(id: "CP-0042-B", port: server.port, mode: "accept")
            let raw = JSONValue.object(["send": .string("raw"), "frame": .string(frame)]).canonicalText
            charger.send(raw)
            let reply = try await charger.waitFor("the CALLERROR") {
                $0["event"]?.stringValue == "raw_response" || $0["event"]?.stringValue == "callerror"
            }
            let replyText = reply.canonicalText
            #expect(replyText.contains(code), "\(replyText)")
            let rejected = try await server.waitForEvent("OcppFrameRejected")
            #expect(rejected.data.value["error_code"]?.stringValue == code)
            charger.send(#"{"send":"Heartbeat"}"#)
            try await charger.waitFor("heartbeat still answered") { $0["action"]?.stringValue == "Heartbeat" && $0["event"]?.stringValue == "result" }
            charger.stop()
        }
    }

    @Test("a charge point not named in the locations file is refused")
    func unknownChargePoint() async throws {
        try await ServerHarness.with { server in
            let stranger = try await ChargerSimulator(id: "CP-STRANGER", port: server.port, mode: "accept", boot: false)
            let failed = try await stranger.waitFor("refusal") { $0["event"]?.stringValue == "connect_failed" }
            #expect(failed["status"]?.int64Value == 400)
            #expect(try await server.store.headPosition() == 0)
            stranger.stop()
        }
    }

    @Test("a second connection for the same charge point replaces the first, and that is recorded")
    func replacedConnection() async throws {
        try await ServerHarness.with { server in
            let first = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            let second = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            try await first.waitFor("the old connection closed") { $0["event"]?.stringValue == "closed" }
            let disconnected = try await server.waitForEvent("ChargePointDisconnected")
            #expect(disconnected.data.value["reason"]?.stringValue == "replaced by a new connection")
            #expect(try await server.events("ChargePointConnected").count == 2)
            second.stop()
            first.stop()
        }
    }
}
