import API
import Domain
import Foundation
import Ledger
import LedgerTesting
import Projections
import Testing

/// A local RFID swipe authorized in real time by the IOP (gireve-iop.md G-07); the session that
/// follows inherits the AuthorizationInfo's authorization_id.
@Suite("Local RFID authorization", .serialized)
struct LocalAuthorizationTests {
    static let uid = "04A1B2C3D4E5F6"
    static let authorization = "4f2a8c1e-6b3d-4e9f-8a7c-2d1e0f9b8a76"

    @Test("Authorize → POST tokens/{uid}/authorize with the EVSE → Accepted; the session and CDR carry the IOP's authorization_id")
    func swipeThenCharge() async throws {
        let iop = try await IOPStandIn()
        let answer = try String(
            contentsOf: try #require(Bundle.module.url(forResource: "Vectors/G-07-answer", withExtension: "json")),
            encoding: .utf8
        )
        iop.answer { _, path in path.contains("/tokens/") ? .envelope(answer) : nil }
        try await ServerHarness.with(iop: iop.url) { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            charger.send(#"{"send":"Authorize","id_tag":"\#(Self.uid)"}"#)
            let authorized = try await charger.waitFor("Authorize answered") {
                $0["action"]?.stringValue == "Authorize" && $0["event"]?.stringValue == "result"
            }
            #expect(authorized["payload"]?["idTagInfo"]?["status"]?.stringValue == "Accepted")
            let asked = try #require(iop.requests.items.first { $0.path.contains("/tokens/") })
            #expect(asked.path == "/ocpi/emsp/2.1.1/tokens/\(Self.uid)/authorize")
            let expectedRequest = try JSONValue(
                parsing: Data(contentsOf: try #require(Bundle.module.url(forResource: "Vectors/G-07-request", withExtension: "json")))
            )
            #expect(asked.body == expectedRequest)
            #expect(asked.authorization == "Token \(ServerHarness.iopToken)")

            charger.send(#"{"send":"StartTransaction","connector":1,"id_tag":"\#(Self.uid)","meter_start":100}"#)
            let started = try await charger.waitFor("the transaction id") {
                $0["action"]?.stringValue == "StartTransaction" && $0["event"]?.stringValue == "result"
            }
            let transactionId = try #require(started["transaction_id"]?.int64Value)
            charger.send(#"{"send":"StopTransaction","transaction_id":\#(transactionId),"meter_stop":7100}"#)
            let pushes = try await iop.requests.wait("PUT, PATCH and CDR") {
                $0.filter { $0.path.contains("/sessions/") || $0.path.hasSuffix("/cdrs") }.count == 3
            }
            .filter { $0.path.contains("/sessions/") || $0.path.hasSuffix("/cdrs") }
            #expect(pushes.allSatisfy { $0.body?["authorization_id"]?.stringValue == Self.authorization })
            let bound = try #require(try await server.events("AuthorizationBound").first?.data.value)
            #expect(bound["matched_on"] == .array([.string("authorize"), .string("id_tag"), .string("charge_point")]))
            let report = try #require(try await Projections.Audit.report(authorizationId: Self.authorization, store: server.store))
            #expect(report.sources.map(\.kind) == ["authorize"])
            #expect(report.cdrs.count == 1)
        }
    }

    @Test("the IOP unreachable: the configured fallback (reject) decides, recorded as such")
    func fallback() async throws {
        let iop = try await IOPStandIn()
        iop.answer(.httpStatus(503))
        try await ServerHarness.with(iop: iop.url) { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            charger.send(#"{"send":"Authorize","id_tag":"\#(Self.uid)"}"#)
            let authorized = try await charger.waitFor("Authorize answered") {
                $0["action"]?.stringValue == "Authorize" && $0["event"]?.stringValue == "result"
            }
            #expect(authorized["payload"]?["idTagInfo"]?["status"]?.stringValue == "Invalid")
            let decided = try #require(try await server.events("AuthorizationDecided").first?.data.value)
            #expect(decided["decided_by"]?.stringValue == "fallback")
            #expect(decided["allowed"]?.stringValue == "NOT_ALLOWED")
            #expect(decided["authorization_id"] == nil)
        }
    }
}
