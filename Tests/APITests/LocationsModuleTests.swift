import API
import Foundation
import HTTPTypes
import Ledger
import LedgerTesting
import NIOHTTP1
import Testing

/// The Locations module the IOP pulls (spec digest §4.2; vectors L-15…L-21): paginated with the
/// headers Gireve requires, single objects by id, 404 for the unknown, and `last_updated` moved
/// by the live EVSE status so a delta pull finds what changed.
@Suite("OCPI Locations module (CPO side)", .serialized)
struct LocationsModuleTests {
    /// `count` locations of one EVSE each, LOC-01 … in the file's order.
    static func network(_ count: Int) throws -> LocationRegistry {
        let locations = (1...count).map { index in
            let id = String(format: "LOC-%02d", index)
            return """
                {"id": "\(id)", "type": "PARKING_LOT", "address": "\(index) Rue Exemple", "city": "Paris", "postal_code": "75010",
                 "country": "FRA", "coordinates": {"latitude": "48.876543", "longitude": "2.354321"}, "time_zone": "Europe/Paris",
                 "last_updated": "2024-06-01T08:00:00Z",
                 "evses": [{"uid": "\(id)-1", "status": "AVAILABLE", "last_updated": "2024-06-01T08:00:00Z",
                   "connectors": [{"id": "1", "standard": "IEC_62196_T2", "format": "SOCKET", "power_type": "AC_3_PHASE",
                     "voltage": 230, "amperage": 32, "last_updated": "2024-06-01T08:00:00Z"}],
                   "ocpp": {"charge_point_id": "CP-\(index)", "connector_id": 1}}]}
                """
        }
        return try LocationRegistry(json: Data("[\(locations.joined(separator: ","))]".utf8))
    }

    static func ids(_ response: ServerHarness.Answer) -> [String] {
        guard case .array(let items)? = response.envelope?["data"] else { return [] }
        return items.compactMap { $0["id"]?.stringValue }
    }

    @Test("L-15, L-16, L-17: 45 locations in pages of 20 with X-Total-Count, X-Limit and a Link to the next page; a limit above 100 is cut to 100")
    func pagination() async throws {
        try await ServerHarness.with(locations: try Self.network(45)) { server in
            let (first, firstHeaders) = try await server.pull("/ocpi/cpo/2.1.1/locations?offset=0&limit=20")
            #expect(Self.ids(first) == (1...20).map { String(format: "LOC-%02d", $0) })
            #expect(firstHeaders["X-Total-Count"] == "45" && firstHeaders["X-Limit"] == "20")
            #expect(firstHeaders["Link"] == "<http://127.0.0.1:\(server.port)/ocpi/cpo/2.1.1/locations?offset=20&limit=20>; rel=\"next\"")
            let (last, lastHeaders) = try await server.pull("/ocpi/cpo/2.1.1/locations?offset=40&limit=20")
            #expect(Self.ids(last) == (41...45).map { String(format: "LOC-%02d", $0) })
            #expect(lastHeaders["X-Total-Count"] == "45" && lastHeaders["Link"] == nil)
            let (capped, cappedHeaders) = try await server.pull("/ocpi/cpo/2.1.1/locations?limit=500")
            #expect(Self.ids(capped).count == 45 && cappedHeaders["X-Limit"] == "100" && cappedHeaders["Link"] == nil)
            // L-18: the next page's Link keeps the filters.
            let (_, filtered) = try await server.pull(
                "/ocpi/cpo/2.1.1/locations?date_from=2024-01-01T00:00:00Z&date_to=2025-01-01T00:00:00Z&limit=20"
            )
            #expect(filtered["Link"]?.contains("date_from=2024-01-01T00:00:00Z&date_to=2025-01-01T00:00:00Z") == true)
            // What the IOP sees has no OCPP wiring, and every EVSE a status (none reported yet).
            let location = try #require(capped.envelope?["data"]).canonicalText
            #expect(!location.contains("charge_point_id") && location.contains(#""status":"UNKNOWN""#))
        }
    }

    @Test("L-04: an EVSE the file marks REMOVED is left out of a full pull (and a Location with only such EVSEs), shown in a delta pull")
    func removedEVSEs() async throws {
        let text = try String(contentsOf: ServerHarness.examplesLocations, encoding: .utf8)
        // The second EVSE removed by the back office; a second Location with only a removed EVSE.
        var locations = try JSONValue(
            parsing: Data(
                text.replacingOccurrences(
                    of: "\"FR*ABC*E0042*02\",\n        \"status\": \"AVAILABLE\"",
                    with: "\"FR*ABC*E0042*02\",\n        \"status\": \"REMOVED\""
                ).utf8
            )
        )
        guard case .array(var items) = locations, case .object(var gone) = items[0] else { throw WaitTimedOut(what: "the example", items: "") }
        #expect(items[0].canonicalText.contains(#""status":"REMOVED""#), "the example changed: the vector no longer applies")
        gone["id"] = .string("LOC-GONE")
        if case .array(let evses)? = gone["evses"] {
            gone["evses"] = .array(
                [evses[1]].map { evse in
                    guard case .object(var fields) = evse else { return evse }
                    fields["uid"] = .string("EVSE-GONE-1")
                    fields["ocpp"] = .object(["charge_point_id": .string("CP-GONE"), "connector_id": .number("1")])
                    return .object(fields)
                }
            )
        }
        items.append(.object(gone))
        locations = .array(items)
        try await ServerHarness.with(locations: try LocationRegistry(json: Data(locations.canonicalText.utf8))) { server in
            let full = try await server.request(.GET, "/ocpi/cpo/2.1.1/locations")
            #expect(Self.ids(full) == ["LOC-PARIS-0042"])
            let uids = full.envelope?["data"]?.canonicalText ?? ""
            #expect(uids.contains("EVSE-0042-01") && !uids.contains("EVSE-0042-02"))
            let delta = try await server.request(.GET, "/ocpi/cpo/2.1.1/locations?date_from=2024-01-01T00:00:00Z")
            #expect(Self.ids(delta) == ["LOC-PARIS-0042", "LOC-GONE"])
            #expect(delta.envelope?["data"]?.canonicalText.contains(#""status":"REMOVED""#) == true)
        }
    }

    @Test("L-19, L-20, L-21: an unknown location is HTTP 404; a connector by its path; no token is 401")
    func objects() async throws {
        try await ServerHarness.with { server in
            let unknown = try await server.request(.GET, "/ocpi/cpo/2.1.1/locations/NOPE")
            #expect(unknown.httpStatus == 404 && unknown.envelope?["status_code"]?.int64Value == 2003)
            let unknownEVSE = try await server.request(.GET, "/ocpi/cpo/2.1.1/locations/LOC-PARIS-0042/NOPE")
            #expect(unknownEVSE.httpStatus == 404)
            let connector = try await server.request(.GET, "/ocpi/cpo/2.1.1/locations/LOC-PARIS-0042/EVSE-0042-01/1")
            #expect(connector.httpStatus == 200 && connector.envelope?["data"]?["standard"]?.stringValue == "IEC_62196_T2")
            #expect(connector.envelope?["data"]?["tariff_id"]?.stringValue == "TARIFF-AC-22")
            #expect(try await server.request(.GET, "/ocpi/cpo/2.1.1/locations/LOC-PARIS-0042/EVSE-0042-01/9").httpStatus == 404)
            let location = try await server.request(.GET, "/ocpi/cpo/2.1.1/locations/LOC-PARIS-0042")
            #expect(location.envelope?["data"]?["id"]?.stringValue == "LOC-PARIS-0042")
            #expect(try await server.request(.GET, "/ocpi/cpo/2.1.1/locations", token: nil).httpStatus == 401)
            let bad = try await server.request(.GET, "/ocpi/cpo/2.1.1/locations?limit=0")
            #expect(bad.envelope?["status_code"]?.int64Value == 2001)
        }
    }

    @Test("L-18: an EVSE's status change moves its Location into a delta pull; date_from inclusive, date_to exclusive, both kept in the Link")
    func deltaPull() async throws {
        let clock = ManualClock(Timestamp(iso8601: "2026-06-04T08:00:05Z")!)
        try await ServerHarness.with(clock: clock) { server in
            let window = "date_from=2026-06-04T00:00:00Z&date_to=2026-06-05T00:00:00Z"
            #expect(Self.ids(try await server.request(.GET, "/ocpi/cpo/2.1.1/locations?\(window)")).isEmpty)
            let charger = try await ChargerSimulator(id: "CP-0042-A", port: server.port, mode: "accept")
            defer { charger.stop() }
            let changed = try await server.request(.GET, "/ocpi/cpo/2.1.1/locations?\(window)&limit=1")
            #expect(Self.ids(changed) == ["LOC-PARIS-0042"])
            #expect(changed.envelope?["data"]?.canonicalText.contains(#""last_updated":"2026-06-04T08:00:05Z""#) == true)
            let exactlyFrom = try await server.request(.GET, "/ocpi/cpo/2.1.1/locations?date_from=2026-06-04T08:00:05Z")
            #expect(Self.ids(exactlyFrom) == ["LOC-PARIS-0042"])
            let exactlyTo = try await server.request(.GET, "/ocpi/cpo/2.1.1/locations?date_to=2026-06-04T08:00:05Z")
            #expect(Self.ids(exactlyTo).isEmpty)

        }
    }

    @Test("a Location new or changed in the locations file is recorded and PUT to the IOP at start-up; an unchanged one is not")
    func changedLocationsArePut() async throws {
        let iop = try await IOPStandIn()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.url.appending(path: "locations.json")
        try FileManager.default.copyItem(at: ServerHarness.examplesLocations, to: file)
        func serve() async throws -> LineProcess {
            let (server, _) = try await ServeProcess.start(directory, iop: iop.url, locations: file.path())
            return server
        }
        let puts: @Sendable ([IOPStandIn.Received]) -> [IOPStandIn.Received] = { $0.filter { $0.method == "PUT" } }

        let first = try await serve()
        let put = try await iop.locationPushes.wait("the Location PUT") { !puts($0).isEmpty }
        // Its success recorded before the kill (else the next run sends it again: at-least-once).
        try await first.lines.wait("the PUT recorded") { $0.contains { $0.contains("location-put-LOC-PARIS-0042-v1 attempt 1: delivered(") } }
        first.kill(SIGKILL)
        #expect(puts(put).first?.path == "/ocpi/emsp/2.1.1/locations/FR/ABC/LOC-PARIS-0042")
        let body = try #require(puts(put).first?.body)
        #expect(body["id"]?.stringValue == "LOC-PARIS-0042" && !body.canonicalText.contains("charge_point_id"))

        let unchanged = try await serve()
        try await unchanged.lines.wait("the unchanged file") { $0.contains("locations published: none (unchanged)") }
        unchanged.kill(SIGKILL)

        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "Rue Exemple 12", with: "Rue Exemple 12 bis")
        try Data(text.utf8).write(to: file)
        let changed = try await serve()
        defer { changed.kill(SIGKILL) }
        try await changed.lines.wait("the changed file") { $0.contains("locations published: LOC-PARIS-0042") }
        let again = try await iop.locationPushes.wait("the second PUT") { puts($0).count >= 2 }
        #expect(
            puts(again).last?.body?["name"]?.stringValue == "Rue Exemple 12 bis",
            "\(puts(again).map { "\($0.path) \($0.body?["name"]?.stringValue ?? "")" })"
        )
        #expect(puts(again).count == 2)
    }
}
