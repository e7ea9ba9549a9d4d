import Domain
import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

/// What a charger sends is checked against the OCPP 1.6 JSON schemas (a CALLERROR as OCPP-J says,
/// recorded) and against sense (a negative meter, a clock far off, a second open transaction on one
/// connector: taken, as OCPP requires, but flagged on the session, never silently).
@Suite("OCPP 1.6 values", .serialized)
struct OCPPValueTests {
    /// Sends `frame` raw and returns the charger's view of the answer: `[3, id, payload]` or `[4, id, code, …]`.
    static func send(_ charger: ChargerSimulator, _ frame: String) async throws -> [JSONValue] {
        try await charger.raw(frame, id: "the frame").arrayItems ?? []
    }

    @Test(
        "a payload that breaks its schema gets the CALLERROR OCPP-J names for it, and is recorded",
        arguments: [
            (#"[2,"a1","Authorize",{"idTag":"ABCDEFGHIJKLMNOPQRSTU"}]"#, "PropertyConstraintViolation"),
            (#"[2,"a2","StartTransaction",{"connectorId":1,"idTag":"T","timestamp":"2026-03-01T10:00:00Z"}]"#, "OccurenceConstraintViolation"),
            (
                #"[2,"a3","StartTransaction",{"connectorId":1,"idTag":"T","meterStart":"5","timestamp":"2026-03-01T10:00:00Z"}]"#,
                "TypeConstraintViolation"
            ),
            (#"[2,"a4","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Exploding"}]"#, "PropertyConstraintViolation"),
            (#"[2,"a5","StopTransaction",{"transactionId":1,"meterStop":10,"timestamp":"yesterday"}]"#, "PropertyConstraintViolation"),
            (#"[2,"a6","MeterValues",{"connectorId":1,"meterValue":[]}]"#, "OccurenceConstraintViolation"),
            (
                #"[2,"a7","BootNotification",{"chargePointVendor":"V","chargePointModel":"M","firmwareVersion":"\#(String(repeating: "9", count: 51))"}]"#,
                "PropertyConstraintViolation"
            ),
        ]
    )
    func schemaViolations(frame: String, code: String) async throws {
        try await ServerHarness.with { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            let answer = try await Self.send(charger, frame)
            #expect(answer.first?.int64Value == 4 && answer.count == 5, "\(answer)")
            #expect(answer[2].stringValue == code, "\(answer)")
            let rejected = try #require(try await server.events("OcppFrameRejected").last?.data.value)
            #expect(rejected["error_code"]?.stringValue == code)
            #expect(try await server.events("SessionStarted").isEmpty)
        }
    }

    @Test("a negative meter, a 1970 or a 9999 clock, a second open transaction on a connector: accepted, and flagged on the session")
    func implausibleValuesFlagged() async throws {
        try await ServerHarness.with { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            let now = server.clock.now().iso8601
            var sessions: [String] = []
            for (tag, meter, time) in [("NEG", -5, now), ("OLD", 100, "1970-01-01T00:00:00Z"), ("FUTURE", 100, "9999-12-31T23:59:59Z")] {
                let answer = try await Self.send(
                    charger,
                    #"[2,"s-\#(tag)","StartTransaction",{"connectorId":1,"idTag":"\#(tag)","meterStart":\#(meter),"timestamp":"\#(time)"}]"#
                )
                #expect(answer.first?.int64Value == 3 && answer[2]["idTagInfo"]?["status"]?.stringValue == "Accepted", "\(answer)")
                sessions.append(String(try #require(answer[2]["transactionId"]?.int64Value)))
            }
            let flags = try await server.store.withProjectionSnapshot { database in
                try database.rows("SELECT subject, detail FROM anomalies WHERE kind = 'implausible_transaction' ORDER BY subject, detail")
                    .map { "\($0[0].text ?? "") \($0[1].text ?? "")" }
            }
            #expect(flags.contains { $0.hasPrefix("sessions:\(sessions[0]) meter start -5 Wh is negative") }, "\(flags)")
            #expect(
                flags.contains { $0.hasPrefix("sessions:\(sessions[1]) meter start time 1970-01-01T00:00:00.000Z is far from the ledger's") },
                "\(flags)"
            )
            #expect(flags.contains { $0.hasPrefix("sessions:\(sessions[2]) meter start time 9999-12-31T23:59:59.000Z is far") }, "\(flags)")
            // Each start after the first found the one before still open on connector 1.
            #expect(
                flags.contains {
                    $0 == "sessions:\(sessions[1]) connector 1 still has session \(sessions[0]) open (its StopTransaction never came?): both are kept"
                },
                "\(flags)"
            )
            #expect(try await server.events("SessionStarted").count == 3)
        }
    }
}
