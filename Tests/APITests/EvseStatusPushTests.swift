import API
import Foundation
import Ledger
import LedgerTesting
import NIOHTTP1
import Testing

/// Live EVSE status towards the IOP (spec digest §4.3, §4.6; vectors L-22…L-29): the Python
/// charger's StatusNotifications become OCPI PATCHes, only when the mapped status changes, in
/// order per EVSE and through outages; the Locations module serves what was pushed.
@Suite("EVSE status pushed to the IOP", .serialized)
struct EvseStatusPushTests {
    static let lane = "/ocpi/emsp/2.1.1/locations/FR/ABC/LOC-PARIS-0042/EVSE-0042-01"

    /// The statuses PATCHed to `path`, in the order the IOP accepted them.
    static func patched(_ received: [IOPStandIn.Received], _ path: String) -> [String] {
        received.filter { $0.method == "PATCH" && $0.path == path && $0.refusedWith == nil }.compactMap { $0.body?["status"]?.stringValue }
    }

    /// Sends StatusNotifications one after the other, each answered before the next.
    static func report(
        _ charger: ChargerSimulator,
        _ statuses: [(connector: Int, status: String, error: String)],
        answeredBefore: Int = 1
    )
        async throws
    {
        for (index, report) in statuses.enumerated() {
            charger.send(
                #"{"send":"StatusNotification","connector":\#(report.connector),"status":"\#(report.status)","error_code":"\#(report.error)"}"#
            )
            try await charger.waitFor("StatusNotification \(report.status) answered", count: answeredBefore + index + 1) {
                $0["event"]?.stringValue == "result" && $0["action"]?.stringValue == "StatusNotification"
            }
        }
    }

    @Test(
        "L-22: Available → Preparing → Charging → SuspendedEV → Charging → Finishing → Available is CHARGING then AVAILABLE; through an IOP outage the PATCHes queue and arrive in order; the pull agrees",
        arguments: StoreKind.available
    )
    func chargingCycleThroughAnOutage(kind: StoreKind) async throws {
        let iop = try await IOPStandIn()
        iop.answer(.httpStatus(503))
        try await ServerHarness.with(kind, iop: iop.url) { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            try await Self.report(
                charger,
                ["Preparing", "Charging", "SuspendedEV", "Charging", "Finishing", "Available"].map { (1, $0, "NoError") }
            )
            try await iop.locationPushes.wait("a refused PATCH") { $0.contains { $0.method == "PATCH" && $0.refusedWith != nil } }
            iop.answer(.success)
            let delivered = try await server.advance(iop, inbox: \.locationPushes, by: 600_000, until: "the three PATCHes") {
                Self.patched($0, Self.lane).count == 3
            }
            // The boot's Available is the EVSE's first status: published too.
            #expect(Self.patched(delivered, Self.lane) == ["AVAILABLE", "CHARGING", "AVAILABLE"])
            let bodies = delivered.filter { $0.method == "PATCH" && $0.refusedWith == nil }.compactMap(\.body)
            // Only what changed, with the time of the change (digest §4.3 [REC]).
            #expect(
                bodies.allSatisfy { body in
                    guard case .object(let members) = body else { return false }
                    return members.keys.sorted() == ["last_updated", "status"]
                        && body["last_updated"]?.stringValue.flatMap(Timestamp.init(iso8601:)) != nil
                }
            )
            #expect(try await server.events("EvseStatusChanged").count == 3)

            // The pull serves what was pushed: status and last_updated.
            let evse = try await server.request(.GET, "/ocpi/cpo/2.1.1/locations/LOC-PARIS-0042/EVSE-0042-01")
            #expect(evse.envelope?["data"]?["status"]?.stringValue == "AVAILABLE")
            #expect(evse.envelope?["data"]?["last_updated"] == bodies.last?["last_updated"])
            #expect(evse.envelope?["data"]?["ocpp"] == nil)
            let location = try await server.request(.GET, "/ocpi/cpo/2.1.1/locations/LOC-PARIS-0042")
            #expect(location.envelope?["data"]?["last_updated"] == bodies.last?["last_updated"])
            // The other EVSEs' chargers (a 1.6 charger, a 2.0.1 station) never reported: no status information.
            guard case .array(let evses)? = location.envelope?["data"]?["evses"] else { throw WaitTimedOut(what: "the location's EVSEs", items: "") }
            #expect(evses.map { $0["status"]?.stringValue } == ["AVAILABLE", "UNKNOWN", "UNKNOWN"])
        }
    }

    @Test(
        "L-23, L-24, L-28, L-29: Faulted is OUTOFORDER, Unavailable INOPERATIVE, Reserved RESERVED; Preparing after Reserved is CHARGING; an error code with an unchanged status sends nothing"
    )
    func statusMapping() async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(iop: iop.url) { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            try await Self.report(
                charger,
                [
                    (1, "Faulted", "GroundFailure"), (1, "Available", "NoError"),  // L-23
                    (1, "Unavailable", "NoError"), (1, "Available", "NoError"),  // L-24
                    (1, "Reserved", "NoError"), (1, "Preparing", "NoError"), (1, "Charging", "NoError"),  // L-28
                    (1, "Charging", "EVCommunicationError"),  // L-29
                ]
            )
            let expected = ["AVAILABLE", "OUTOFORDER", "AVAILABLE", "INOPERATIVE", "AVAILABLE", "RESERVED", "CHARGING"]
            let delivered = try await iop.locationPushes.wait("seven PATCHes") { Self.patched($0, Self.lane).count >= expected.count }
            _ = try await server.waitForEvents("DeliverySucceeded", count: expected.count)
            #expect(Self.patched(iop.locationPushes.items, Self.lane) == expected)
            #expect(Self.patched(delivered, Self.lane).count == expected.count)

            // The ops page lists the EVSE and, on its own page, every change with its PATCH.
            let login = "Basic \(Data("alice:\(ServerHarness.opsToken)".utf8).base64EncodedString())"
            let home = try await server.ops("/ops/", authorization: login)
            #expect(home.status == 200 && home.text.contains("/ops/evse?location=LOC-PARIS-0042&amp;uid=EVSE-0042-01"), "\(home.text)")
            let history = try await server.ops("/ops/evse?location=LOC-PARIS-0042&uid=EVSE-0042-01", authorization: login)
            #expect(history.status == 200)
            #expect(
                history.text.contains("StatusNotification connector 1 Faulted") && history.text.contains("evse-status-LOC-PARIS-0042-EVSE-0042-01-7")
            )
            #expect(history.text.components(separatedBy: "<td>delivered</td>").count - 1 == expected.count, "\(history.text)")
            #expect(try await server.ops("/ops/evse?location=LOC-PARIS-0042&uid=NOPE", authorization: login).status == 404)
        }
    }

    @Test("L-27: the charge point Faulted (connector 0) is OUTOFORDER on both its EVSEs; Available again restores each connector's own status")
    func chargePointLevelStatus() async throws {
        let iop = try await IOPStandIn()
        let locations = try LocationRegistry(
            json: Data(
                """
                [{"id": "LOC-DUO", "time_zone": "Europe/Paris", "last_updated": "2024-06-01T08:00:00Z", "evses": [
                  {"uid": "EVSE-D1", "status": "AVAILABLE", "connectors": [], "last_updated": "2024-06-01T08:00:00Z",
                   "ocpp": {"charge_point_id": "CP-DUO", "connector_id": 1}},
                  {"uid": "EVSE-D2", "status": "AVAILABLE", "connectors": [], "last_updated": "2024-06-01T08:00:00Z",
                   "ocpp": {"charge_point_id": "CP-DUO", "connector_id": 2}}]}]
                """.utf8
            )
        )
        try await ServerHarness.with(iop: iop.url, locations: locations) { server in
            let charger = try await ChargerSimulator(id: "CP-DUO", port: server.port, mode: "accept")
            defer { charger.stop() }
            try await Self.report(
                charger,
                [(2, "Charging", "NoError"), (0, "Faulted", "OtherError"), (2, "Finishing", "NoError"), (0, "Available", "NoError")]
            )
            let (one, two) = ("/ocpi/emsp/2.1.1/locations/FR/ABC/LOC-DUO/EVSE-D1", "/ocpi/emsp/2.1.1/locations/FR/ABC/LOC-DUO/EVSE-D2")
            _ = try await iop.locationPushes.wait("six PATCHes") { Self.patched($0, one).count + Self.patched($0, two).count >= 6 }
            _ = try await server.waitForEvents("DeliverySucceeded", count: 6)
            #expect(Self.patched(iop.locationPushes.items, one) == ["AVAILABLE", "OUTOFORDER", "AVAILABLE"])
            // Finishing while Faulted changed nothing the IOP sees; it is CHARGING once the fault clears.
            #expect(Self.patched(iop.locationPushes.items, two) == ["CHARGING", "OUTOFORDER", "CHARGING"])
        }
    }

    @Test(
        "L-25, L-26: a charger back within the grace period sends nothing; one gone past it is UNKNOWN on every EVSE, then AVAILABLE when it returns"
    )
    func offlineGracePeriod() async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(iop: iop.url) { server in
            let first = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            first.stop()
            _ = try await server.waitForEvents("ChargePointDisconnected", count: 1)
            server.clock.advance(milliseconds: 600_000)  // inside the 900 s grace period
            let second = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            _ = try await server.waitForEvents("DeliverySucceeded", count: 1)
            #expect(Self.patched(iop.locationPushes.items, Self.lane) == ["AVAILABLE"])

            second.stop()
            _ = try await server.waitForEvents("ChargePointDisconnected", count: 2)
            let gone = try await server.advance(iop, inbox: \.locationPushes, by: 901_000, until: "UNKNOWN after the grace period") {
                Self.patched($0, Self.lane).count == 2
            }
            #expect(Self.patched(gone, Self.lane) == ["AVAILABLE", "UNKNOWN"])
            let changed = try await server.events("EvseStatusChanged").map(\.data.value)
            #expect(changed.last?["cause"]?.stringValue?.contains("grace 900 s") == true)
            let evse = try await server.request(.GET, "/ocpi/cpo/2.1.1/locations/LOC-PARIS-0042/EVSE-0042-01")
            #expect(evse.envelope?["data"]?["status"]?.stringValue == "UNKNOWN")

            let third = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { third.stop() }
            _ = try await iop.locationPushes.wait("AVAILABLE again") { Self.patched($0, Self.lane).count == 3 }
            #expect(Self.patched(iop.locationPushes.items, Self.lane) == ["AVAILABLE", "UNKNOWN", "AVAILABLE"])
        }
    }
}
