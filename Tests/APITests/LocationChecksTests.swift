import API
import Foundation
import Ledger
import LedgerTesting
import Testing

/// The locations file checked as Gireve would (spec digest §4.1, §4.4; vectors L-01, L-06…L-12):
/// every problem named with its place, and `ledger serve` refusing to start on any.
@Suite("Locations file checks")
struct LocationChecksTests {
    /// L-01, Gireve-complete, in operation FR*AB1, with the EVSE's OCPP wiring.
    static let valid = """
        {"id": "LOC-0001", "type": "PARKING_LOT", "name": "Parking Exemple Nord", "address": "12 Rue de l'Exemple", "city": "Paris",
         "postal_code": "75010", "country": "FRA", "coordinates": {"latitude": "48.876543", "longitude": "2.354321"},
         "evses": [{"uid": "EVSE-0001-1", "evse_id": "FR*AB1*E0001*1", "status": "AVAILABLE",
           "capabilities": ["RFID_READER", "REMOTE_START_STOP_CAPABLE", "UNLOCK_CAPABLE"],
           "connectors": [{"id": "1", "standard": "IEC_62196_T2", "format": "SOCKET", "power_type": "AC_3_PHASE", "voltage": 230,
             "amperage": 32, "tariff_id": "TARIFF-AC22", "last_updated": "2024-06-01T08:00:00Z"}],
           "physical_reference": "1", "floor_level": "0", "last_updated": "2024-06-01T08:00:00Z",
           "ocpp": {"charge_point_id": "CP-1", "connector_id": 1}}],
         "operator": {"name": "Example Charge"}, "owner": {"name": "Ville Exemple"}, "time_zone": "Europe/Paris",
         "opening_times": {"twentyfourseven": true}, "charging_when_closed": true, "last_updated": "2024-06-01T08:00:00Z"}
        """

    static func problems(_ location: String) throws -> [String] {
        try LocationRegistry(json: Data("[\(location)]".utf8)).problems(countryCode: "FR", partyId: "AB1")
    }

    @Test("on an OCPI 2.2.1 link: ids over 36 characters, ids equal but for case, and a missing time_zone are named; 2.1.1 accepts them")
    func ocpi221() throws {
        let long = String(repeating: "L", count: 37)
        let location = Self.valid.replacingOccurrences(of: #""id": "LOC-0001""#, with: #""id": "\#(long)""#)
            .replacingOccurrences(of: #""time_zone": "Europe/Paris","#, with: "")
            .replacingOccurrences(of: #""charge_point_id": "CP-1""#, with: #""charge_point_id": "CP-3""#)
        let twins = Self.valid.replacingOccurrences(of: #""id": "LOC-0001""#, with: #""id": "loc-0001""#)
            .replacingOccurrences(of: #""charge_point_id": "CP-1""#, with: #""charge_point_id": "CP-2""#)
        let registry = try LocationRegistry(json: Data("[\(location), \(Self.valid), \(twins)]".utf8))
        let problems = registry.problems(countryCode: "FR", partyId: "AB1", version: .v221)
        #expect(
            problems == [
                "[0] (location \(long)): time_zone is required in OCPI 2.2.1",
                "[0] (location \(long)): id \(long) is longer than OCPI 2.2.1's 36 characters",
                "[2] (location loc-0001): id loc-0001 is [1] (location LOC-0001)'s but for case (OCPI 2.2.1 ids are case-insensitive)",
            ]
        )
        #expect(registry.problems(countryCode: "FR", partyId: "AB1") == [])
    }

    @Test("L-01 and the shipped examples pass")
    func validFiles() throws {
        #expect(try Self.problems(Self.valid) == [])
        #expect(try LocationRegistry(contentsOf: ServerHarness.examplesLocations).problems(countryCode: "FR", partyId: "ABC") == [])
    }

    @Test(
        "each defect of L-06…L-12 is named with where it is",
        arguments: [
            // L-06: the 2.1.1 spec's own "add an EVSE" body: connector fields missing, numbers for strings.
            (#""power_type": "AC_3_PHASE", "#, "", "[0] (location LOC-0001).evses[0] (EVSE EVSE-0001-1).connectors[0]: power_type is required"),
            (#""voltage": 230,"#, "", "connectors[0]: voltage is required (an integer)"),
            (#""physical_reference": "1""#, #""physical_reference": 3"#, "physical_reference must be a string"),
            (#""floor_level": "0""#, #""floor_level": -1"#, "floor_level must be a string"),
            (#""coordinates": {"latitude": "48.876543", "longitude": "2.354321"},"#, "", "[0] (location LOC-0001): coordinates is required"),  // L-07
            (#""latitude": "48.876543""#, #""latitude": "48.8765""#, "coordinates.latitude must be a string with 6 decimals"),  // L-08
            (#""longitude": "2.354321""#, #""longitude": 2.354321"#, "coordinates.longitude must be a string with 6 decimals"),
            (#""status": "AVAILABLE""#, #""status": "OCCUPIED""#, "status OCCUPIED is not an OCPI 2.1.1 status"),  // as L-09
            (#""FR*AB1*E0001*1""#, #""FR*XYZ*E0001*1""#, "evse_id FR*XYZ*E0001*1 must start with this operation's eMI3 Operator Id FR*AB1*"),  // L-11
            (#""owner": {"name": "Ville Exemple"}, "#, "", "[0] (location LOC-0001): owner.name is required by Gireve"),  // L-12
            (#""operator": {"name": "Example Charge"}, "#, "", "[0] (location LOC-0001): operator.name is required by Gireve"),
            (#"["RFID_READER", "REMOTE_START_STOP_CAPABLE", "UNLOCK_CAPABLE"]"#, "[]", "capabilities is required by Gireve"),
            (#""tariff_id": "TARIFF-AC22", "#, "", "connectors[0]: tariff_id is required by Gireve"),
        ]
    )
    func defects(find: String, replace: String, problem: String) throws {
        let text = Self.valid.replacingOccurrences(of: find, with: replace)
        #expect(text != Self.valid, "the vector did not apply")
        let found = try Self.problems(text)
        #expect(found.contains { $0.contains(problem) }, "\(found)")
    }

    @Test("`ledger serve` refuses a locations file Gireve would reject, listing every problem; nothing is recorded")
    func serveRefuses() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let broken = Self.valid.replacingOccurrences(of: #""owner": {"name": "Ville Exemple"}, "#, with: "")
            .replacingOccurrences(of: #""evse_id": "FR*AB1*E0001*1""#, with: #""evse_id": "FR*XYZ*E0001*1""#)
        try TariffCommandTests.write("[\(broken)]", to: directory.url.appending(path: "locations.json"))
        let db = directory.path("ledger.sqlite")
        let result = try await TariffCommandTests.ledger([
            "serve", "--db", db, "--port", "0", "--party-id", "AB1", "--locations", directory.path("locations.json"),
        ])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("locations file \(directory.path("locations.json")) refused, nothing recorded"), "\(result.stderr)")
        #expect(result.stderr.contains("owner.name is required by Gireve") && result.stderr.contains("FR*XYZ*E0001*1"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db), "the ledger was created")
    }
}
