import API
import Domain
import Foundation
import Ledger
import LedgerTesting
import NIOHTTP1
import Projections
import Testing

/// CDRs priced from the tariff in force when their session started, end to end: a remote start,
/// the Python charger's meter values across a tariff's time-of-day boundary, the EV full, the stop
/// — and the CDR, the pushes and the audit as computed by hand.
@Suite("Pricing CDRs from the published tariffs", .serialized)
struct TariffPricingTests {
    static let authorization = "b3f1c9e2-7a4d-4e8b-9c21-5d7e0a6f3b48"

    static func examplesCatalog() throws -> TariffCatalog {
        try TariffCatalog(contentsOf: ServerHarness.examplesTariffs)
    }

    /// `examples/tariffs.json` with TARIFF-AC-22's prices multiplied and a new `last_updated`: its next version.
    static func secondVersion() throws -> TariffCatalog {
        var text = try String(contentsOf: ServerHarness.examplesTariffs, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"price\": 0.30", with: "\"price\": 0.50")
            .replacingOccurrences(of: "\"price\": 0.40", with: "\"price\": 0.60")
            .replacingOccurrences(of: "2026-11-01T00:00:00Z", with: "2026-12-01T00:00:00Z")
        return try TariffCatalog(json: Data(text.utf8), source: "tariffs-v2.json")
    }

    /// One charge on CP-0042-A after a START_SESSION (vector G-01), its charger times given in
    /// local time of the location (Europe/Paris, UTC+2 in June) and the ledger's clock moved to
    /// each before it is sent, as a charger's clock and ours would agree.
    struct Charge {
        let server: ServerHarness
        let charger: ChargerSimulator

        static func utc(_ local: String) -> Timestamp {
            // 2024-06-04 is a Tuesday; CEST is UTC+2.
            let (hour, minute) = (Int(local.prefix(2))!, Int(local.suffix(2))!)
            return Timestamp(iso8601: String(format: "2024-06-04T%02d:%02d:00.000Z", hour - 2, minute))!
        }

        func at(_ local: String, _ line: (String) -> String) async throws {
            let time = Self.utc(local)
            server.clock.set(time)
            charger.send(line(time.ocpiDateTime))
        }

        /// Waits for the `nth` answer to `action` this charger got; returns it.
        @discardableResult
        func answered(_ action: String, _ nth: Int = 1) async throws -> JSONValue {
            let answer: @Sendable (JSONValue) -> Bool = { $0["action"]?.stringValue == action && $0["event"]?.stringValue == "result" }
            try await charger.waitFor("\(action) answered \(nth) time(s)", count: nth, answer)
            return charger.lines(answer)[nth - 1]
        }
    }

    /// The `nth` START_SESSION accepted by the charger, then its transaction; returns the transaction id.
    static func remoteStart(
        _ server: ServerHarness,
        _ charger: ChargerSimulator,
        iop: IOPStandIn,
        at local: String,
        nth: Int = 1,
        meterStart: Int = 0
    ) async throws -> (Charge, Int) {
        let charge = Charge(server: server, charger: charger)
        server.clock.set(Charge.utc(local).adding(milliseconds: -10_000))
        let start = try Requests.vector("G-01", responseURL: "\(iop.url)/ocpi/emsp/2.1.1/commands/START_SESSION/\(nth)")
        #expect(try await server.command("START_SESSION", start).result == "ACCEPTED")
        try await charger.waitFor("RemoteStartTransaction", count: nth) { $0["action"]?.stringValue == "RemoteStartTransaction" }
        try await charge.at(local) {
            #"{"send":"StartTransaction","connector":1,"id_tag":"APP-7Q2M4K9X","meter_start":\#(meterStart),"timestamp":"\#($0)"}"#
        }
        let started = try await charge.answered("StartTransaction", nth)
        return (charge, Int(try #require(started["transaction_id"]?.int64Value)))
    }

    @Test(
        "remote start, meter values across 22:00, the EV full at 22:20, stop: the CDR costs 2.15 EUR as computed by hand, its tariff PUT reached the IOP first, the audit explains it"
    )
    func pricedAcrossATimeOfDayBoundary() async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(iop: iop.url, tariffs: try Self.examplesCatalog(), clock: ManualClock(Charge.utc("21:00"))) { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            let (charge, transactionId) = try await Self.remoteStart(server, charger, iop: iop, at: "21:30")
            try await charge.at("21:45") {
                #"{"send":"MeterValues","connector":1,"transaction_id":\#(transactionId),"value":2000,"timestamp":"\#($0)"}"#
            }
            try await charge.answered("MeterValues")
            try await charge.at("22:15") {
                #"{"send":"MeterValues","connector":1,"transaction_id":\#(transactionId),"value":5000,"timestamp":"\#($0)"}"#
            }
            try await charge.answered("MeterValues", 2)
            try await charge.at("22:20") { #"{"send":"StatusNotification","connector":1,"status":"SuspendedEV","timestamp":"\#($0)"}"# }
            // The boot's own StatusNotification was the first.
            try await charge.answered("StatusNotification", 2)
            try await charge.at("22:30") { #"{"send":"StopTransaction","transaction_id":\#(transactionId),"meter_stop":6000,"timestamp":"\#($0)"}"# }
            try await charge.answered("StopTransaction")

            let pushes = try await iop.requests.wait("the tariff PUT and the CDR") { $0.contains { $0.path.hasSuffix("/cdrs") } }
            let tariffPut = try #require(pushes.firstIndex { $0.path == "/ocpi/emsp/2.1.1/tariffs/FR/ABC/TARIFF-AC-22" })
            let cdrPost = try #require(pushes.firstIndex { $0.path.hasSuffix("/cdrs") })
            #expect(pushes[tariffPut].method == "PUT" && tariffPut < cdrPost)
            #expect(pushes[tariffPut].body?["id"]?.stringValue == "TARIFF-AC-22")
            let cdr = try #require(pushes[cdrPost].body)
            // By hand (examples/tariffs.json, Europe/Paris): 21:30–22:00 charging, 2000 Wh + half of the
            // 3000 Wh read between 21:45 and 22:15 = 3.5 kWh at 0.40 (element 2, no time restriction);
            // 22:00–22:20 charging, 1.5 kWh + the 1 kWh read by 22:30 (drawn before the EV was full)
            // = 2.5 kWh at 0.30 (element 1, 22:00–07:00); 22:20–22:30 parking, free after 20:00.
            // 1.40 + 0.75 = 2.15.
            #expect(cdr["total_cost"] == .number("2.15"))
            #expect(cdr["currency"]?.stringValue == "EUR")
            #expect(cdr["total_energy"] == .number("6"))
            #expect(cdr["total_time"] == .number("1"))
            #expect(cdr["total_parking_time"] == .number("0.1667"))
            #expect(cdr["authorization_id"]?.stringValue == Self.authorization)
            #expect(cdr["tariffs"]?.canonicalText == "[\(try Self.examplesCatalog().entries[0].object.canonicalText)]")
            let expected = try JSONValue(
                parsing: """
                    [{"start_date_time":"2024-06-04T19:30:00Z","dimensions":[{"type":"ENERGY","volume":3.5},{"type":"TIME","volume":0.5}]},
                     {"start_date_time":"2024-06-04T20:00:00Z","dimensions":[{"type":"ENERGY","volume":2.5},{"type":"TIME","volume":0.3333}]},
                     {"start_date_time":"2024-06-04T20:20:00Z","dimensions":[{"type":"PARKING_TIME","volume":0.1667}]}]
                    """
            )
            #expect(cdr["charging_periods"] == expected)

            // The Session PATCHes carry the running total as if it ended at the last reading:
            // 21:45 2 kWh at 0.40; 22:15 3.5 kWh at 0.40 + 1.5 kWh at 0.30; then the CDR's.
            let patches = pushes.filter { $0.method == "PATCH" }.compactMap { $0.body?["total_cost"] }
            #expect(patches == [.number("0.80"), .number("1.85"), .number("2.15")])

            let report = try #require(try await Projections.Audit.report(authorizationId: Self.authorization, store: server.store))
            #expect(report.anomalies.isEmpty, "\(report.anomalies)")
            let text = report.text
            #expect(text.contains("total_cost 2.15 EUR"), "\(text)")
            #expect(text.contains("priced with tariff TARIFF-AC-22 (last_updated 2026-11-01T00:00:00Z), times read in Europe/Paris"), "\(text)")
            #expect(text.contains("ENERGY 3.5 kWh × 0.4 EUR/kWh (element 2) = 1.4 EUR"), "\(text)")
            #expect(text.contains("ENERGY 2.5 kWh × 0.3 EUR/kWh (element 1) = 0.75 EUR"), "\(text)")
            #expect(text.contains("PARKING_TIME 0.1667 h: no tariff element applies, free"), "\(text)")
            // The pull gives the same CDR; the harness then replays the ledger and compares every row.
            let pulled = try await server.request(.GET, "/ocpi/cpo/2.1.1/cdrs")
            #expect(pulled.envelope?["data"]?.canonicalText.contains(#""total_cost":2.15"#) == true)
        }
    }

    /// Two charges of 10 kWh on CP-0042-A, 14:00–15:00 and 15:30–16:30 local time, with the
    /// examples' tariffs: `whileFirstRuns` happens between the first start and its stop,
    /// `betweenCharges` after that stop. Returns the CDRs' data, in order.
    static func twoCharges(
        whileFirstRuns: @escaping @Sendable (ServerHarness) async throws -> Void = { _ in },
        betweenCharges: @escaping @Sendable (ServerHarness) async throws -> Void = { _ in },
        then check: @escaping @Sendable (ServerHarness, [JSONValue]) async throws -> Void
    ) async throws {
        let iop = try await IOPStandIn()
        try await ServerHarness.with(iop: iop.url, tariffs: try Self.examplesCatalog(), clock: ManualClock(Charge.utc("13:00"))) { server in
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            let (first, firstId) = try await Self.remoteStart(server, charger, iop: iop, at: "14:00")
            try await whileFirstRuns(server)
            try await first.at("15:00") { #"{"send":"StopTransaction","transaction_id":\#(firstId),"meter_stop":10000,"timestamp":"\#($0)"}"# }
            try await first.answered("StopTransaction")
            try await betweenCharges(server)
            let (second, secondId) = try await Self.remoteStart(server, charger, iop: iop, at: "15:30", nth: 2, meterStart: 10000)
            try await second.at("16:30") { #"{"send":"StopTransaction","transaction_id":\#(secondId),"meter_stop":20000,"timestamp":"\#($0)"}"# }
            try await second.answered("StopTransaction", 2)
            try await check(server, try await server.events("CdrIssued").map(\.data.value))
        }
    }

    @Test("a tariff changed while a session runs: that session keeps the version it started with, the next one gets the new one; both in the log")
    func tariffChangedMidSession() async throws {
        try await Self.twoCharges(
            whileFirstRuns: { server in
                let outcome = try await TariffPublisher(store: server.store, push: nil).publish(try Self.secondVersion())
                #expect(outcome.published == ["TARIFF-AC-22"])
            },
            then: { server, cdrs in
                #expect(cdrs.count == 2)
                // 10 kWh each, all at the unrestricted energy element: 0.40 then 0.60.
                #expect(cdrs.map { $0["total_cost"] } == [.number("4"), .number("6")])
                #expect(cdrs.map { $0["pricing"]?["tariff"]?["last_updated"]?.stringValue } == ["2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"])
                let versions = try #require(try await server.store.state(TariffsProjection.self, "TARIFF-AC-22")).versions.map(\.lastUpdated)
                #expect(versions == ["2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"])
                let report = try #require(try await Projections.Audit.report(authorizationId: Self.authorization, store: server.store))
                #expect(report.text.contains("tariff TARIFF-AC-22 (last_updated 2026-11-01T00:00:00Z)"))
                #expect(report.text.contains("tariff TARIFF-AC-22 (last_updated 2026-12-01T00:00:00Z)"))
            }
        )
    }

    @Test(
        "a tariff re-published with other prices under the same last_updated prices the next stop with the new object, not the one parsed for the last stop"
    )
    func tariffRepublishedUnderSameLastUpdated() async throws {
        try await Self.twoCharges(
            betweenCharges: { server in
                var text = try String(contentsOf: ServerHarness.examplesTariffs, encoding: .utf8)
                text = text.replacingOccurrences(of: "\"price\": 0.40", with: "\"price\": 0.60")
                let republished = try TariffCatalog(json: Data(text.utf8), source: "tariffs-same-last-updated.json")
                #expect(try await TariffPublisher(store: server.store, push: nil).publish(republished).published == ["TARIFF-AC-22"])
            },
            then: { _, cdrs in
                #expect(cdrs.map { $0["total_cost"] } == [.number("4"), .number("6")])
                #expect(cdrs.map { $0["pricing"]?["tariff"]?["last_updated"]?.stringValue } == ["2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z"])
            }
        )
    }

    @Test("the IOP pulls the tariffs in force (GET /tariffs, paginated, listed in version discovery); a withdrawn one is no longer listed")
    func tariffsModule() async throws {
        try await ServerHarness.with(tariffs: try Self.examplesCatalog()) { server in
            let versions = try await server.request(.GET, "/ocpi/2.1.1")
            #expect(versions.envelope?["data"]?["endpoints"]?.canonicalText.contains(#""identifier":"tariffs""#) == true)
            let page = try await server.request(.GET, "/ocpi/cpo/2.1.1/tariffs?offset=0&limit=10")
            #expect(page.envelope?["data"] == .array([try Self.examplesCatalog().entries[0].object]))
            let later = try await server.request(.GET, "/ocpi/cpo/2.1.1/tariffs?date_from=2026-11-02T00:00:00Z")
            #expect(later.envelope?["data"] == .array([]))
            let bad = try await server.request(.GET, "/ocpi/cpo/2.1.1/tariffs?date_from=yesterday")
            #expect(bad.envelope?["status_code"]?.int64Value == 2001)

            let none = try TariffCatalog(json: Data("[]".utf8), source: "empty.json")
            #expect(try await TariffPublisher(store: server.store, push: nil).publish(none).withdrawn == ["TARIFF-AC-22"])
            let after = try await server.request(.GET, "/ocpi/cpo/2.1.1/tariffs")
            #expect(after.envelope?["data"] == .array([]))
        }
    }
}
