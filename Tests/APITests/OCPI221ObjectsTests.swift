import Domain
import Foundation
import Ledger
import Testing

@testable import API

/// The 2.2.1 objects rendered from recorded facts, against the spec digest's vectors: the shared
/// scenario's Session (V2-12, V2-13, V2-14), CDR (V2-15) and command answers (V2-07, V2-10,
/// X2-06, X2-07). The scenario's tariff carries VAT; the ledger's tariffs are OCPI 2.1.1 objects,
/// which carry none, so every `incl_vat` of the vectors is left out of the comparison (and out of
/// what the ledger sends: it never claims a VAT it was not given).
@Suite("OCPI 2.2.1 objects against the spec vectors")
struct OCPI221ObjectsTests {
    /// The scenario's Location (R1-01's, with the OCPP wiring a locations file adds).
    static let registry: LocationRegistry = {
        let text = """
            [{"id": "LOC-PARIS-001", "type": "PARKING_LOT", "name": "Parking Hotel de Ville", "address": "12 Rue de Rivoli",
              "city": "Paris", "postal_code": "75004", "country": "FRA", "coordinates": {"latitude": "48.856613", "longitude": "2.352222"},
              "evses": [{"uid": "EVSE-0001-1", "evse_id": "FR*ABC*E0001*1", "status": "AVAILABLE",
                         "connectors": [{"id": "1", "standard": "IEC_62196_T2", "format": "SOCKET", "power_type": "AC_3_PHASE",
                                         "voltage": 230, "amperage": 32, "tariff_id": "TAR-AC-REG-01", "last_updated": "2024-11-05T10:45:01Z"}],
                         "ocpp": {"charge_point_id": "CP-1", "connector_id": 1}, "last_updated": "2024-11-05T10:45:01Z"}],
              "time_zone": "Europe/Paris", "last_updated": "2024-11-05T10:45:01Z"}]
            """
        return try! LocationRegistry(json: Array(text.utf8))
    }()
    static let objects = OCPI221Objects(locations: registry, countryCode: "FR", partyId: "ABC", hub: "FR/107")
    static let token = TokenSnapshot(
        countryCode: "NL",
        partyId: "EMS",
        uid: "5f2b9c1e-7a34-4d8e-b1c2-9e0f12ab34cd",
        type: "APP_USER",
        contractId: "NL-EMS-C12345678-K"
    )
    static let reference = "6b1f0d2e-3c4a-4f5b-9e8d-7a6b5c4d3e2f"

    static func at(_ time: String) -> Timestamp { Timestamp(iso8601: "2024-11-05T\(time)Z")! }

    static func vector(_ id: String) throws -> JSONValue {
        try JSONValue(parsing: Data(contentsOf: try #require(Bundle.module.url(forResource: "Vectors/\(id)", withExtension: "json"))))
    }

    /// `value` with every number in its shortest decimal spelling (`8.0` → `8`) and without
    /// `incl_vat` members: how a vector and a rendering are compared.
    static func comparable(_ value: JSONValue) -> JSONValue {
        switch value {
        case .number(let text): .number(Decimal(string: text).map { "\($0)" } ?? text)
        case .array(let items): .array(items.map(comparable))
        case .object(let members): .object(members.filter { $0.key != "incl_vat" }.mapValues(comparable))
        default: value
        }
    }

    static let periods = [
        ChargingPeriod(
            startDateTime: at("09:00:00"),
            dimensions: [CdrDimension(type: "ENERGY", volume: 8), CdrDimension(type: "TIME", volume: 0.75)]
        ),
        ChargingPeriod(
            startDateTime: at("09:45:00"),
            dimensions: [CdrDimension(type: "ENERGY", volume: 7), CdrDimension(type: "TIME", volume: 0.75)]
        ),
        ChargingPeriod(startDateTime: at("10:30:00"), dimensions: [CdrDimension(type: "PARKING_TIME", volume: 0.25)]),
    ]

    static let started = SessionStarted(
        sessionId: "SES-20241105-000123",
        chargePointId: "CP-1",
        connectorId: 1,
        transactionId: 123,
        idTag: "H0123456789ABCDEF012",
        locationId: "LOC-PARIS-001",
        evseUid: "EVSE-0001-1",
        authId: "NL-EMS-C12345678-K",
        authMethod: "AUTH_REQUEST",
        startedAt: at("09:00:00"),
        meterStartWh: 0,
        currency: "EUR",
        authorizationId: reference,
        commandId: "cmd-1",
        tariff: TariffVersion(id: "TAR-AC-REG-01", lastUpdated: "2024-09-20T12:00:00Z"),
        token: token
    )

    @Test("V2-12: the Session PUT when charging starts (the start fee is not priced before a reading)")
    func sessionStarted() throws {
        var expected = try Self.vector("V2-12")
        if case .object(var members) = expected {
            members["total_cost"] = nil
            members["charging_periods"] = .array([])
            expected = .object(members)
        }
        let rendered = Self.objects.object(Self.objects.session(Self.started), at: Self.at("09:00:05"))
        #expect(Self.comparable(rendered) == Self.comparable(expected))
        #expect(OCPI221Checks.session(rendered, owner: "FR/ABC") == [])
    }

    @Test("a session started without a 2.2.1 token: its CdrToken from what is known — the eMSP of an eMI3 contract id, else the IOP")
    func derivedTokens() {
        var swipe = Self.started
        swipe.token = nil
        swipe.commandId = nil
        swipe.idTag = "04A2B3C4D5E6F7"
        let derived = Self.objects.session(swipe).token
        #expect(derived == TokenSnapshot(countryCode: "NL", partyId: "EMS", uid: "04A2B3C4D5E6F7", type: "RFID", contractId: "NL-EMS-C12345678-K"))
        #expect(Self.objects.session(swipe).authMethod == "AUTH_REQUEST")
        var command = swipe
        command.commandId = "cmd-211"
        command.authId = "opaque-42"
        let fromHub = Self.objects.session(command)
        #expect(fromHub.token == TokenSnapshot(countryCode: "FR", partyId: "107", uid: "04A2B3C4D5E6F7", type: "OTHER", contractId: "opaque-42"))
        #expect(fromHub.authMethod == "COMMAND")
        #expect(OCPI221Objects.emsp(contractId: "FR*XYZ*C0012345*6")! == ("FR", "XYZ"))
        #expect(OCPI221Objects.emsp(contractId: "NLEMSC12345678K")! == ("NL", "EMS"))
        #expect(OCPI221Objects.emsp(contractId: "NL-EMSC12345678K") == nil)
    }

    @Test("V2-13: the progress PATCH carries the running totals and last_updated, and no periods (a 2.2.1 PATCH appends them)")
    func progress() throws {
        var expected = try Self.vector("V2-13")
        if case .object(var members) = expected {
            members["charging_periods"] = nil
            expected = .object(members)
        }
        let rendered = Self.objects.progress(kwh: 8, totalCost: Decimal(string: "2.9")!, at: Self.at("09:45:10"))
        #expect(Self.comparable(rendered) == Self.comparable(expected))
        #expect(OCPI221Checks.session(rendered, patch: true) == [])
    }

    @Test("V2-14: the completed Session as a whole PUT, every period with its tariff")
    func sessionCompleted() throws {
        var session = Self.objects.session(Self.started)
        session.endedAt = Self.at("10:45:00")
        session.kwh = 15
        session.periods = Self.periods
        session.totalCost = Decimal(string: "5.5")!
        session.status = "COMPLETED"
        let rendered = Self.objects.object(session, at: Self.at("10:45:05"))
        #expect(Self.comparable(rendered) == Self.comparable(try Self.vector("V2-14")))
        #expect(OCPI221Checks.session(rendered) == [])
    }

    @Test("V2-15: the CDR with its CdrLocation, token, per-dimension costs and the tariff as it was at the start")
    func cdr() throws {
        let expected = try Self.vector("V2-15")
        // The tariff as the ledger holds it: a 2.1.1-shaped object (no owner); rendered with one.
        guard case .array(let tariffs)? = expected["tariffs"], case .object(var tariff)? = tariffs.first else {
            throw WaitTimedOut(what: "V2-15's tariff", items: "")
        }
        tariff["country_code"] = nil
        tariff["party_id"] = nil
        func component(_ type: String, _ amount: String, unit: String) -> CdrPricing.Component {
            .init(type: type, volume: 1, billedVolume: 1, unitPrice: Decimal(string: unit), stepSize: 1, element: 0, amount: Decimal(string: amount)!)
        }
        let pricing = CdrPricing(
            tariff: TariffVersion(id: "TAR-AC-REG-01", lastUpdated: "2024-09-20T12:00:00Z"),
            timeZone: "Europe/Paris",
            exactCost: Decimal(string: "5.5")!,
            periods: [
                .init(
                    startDateTime: Self.at("09:00:00"),
                    state: "CHARGING",
                    components: [component("FLAT", "0.5", unit: "0.5"), component("ENERGY", "2.4", unit: "0.3"), component("TIME", "0", unit: "")]
                ),
                .init(startDateTime: Self.at("09:45:00"), state: "CHARGING", components: [component("ENERGY", "2.1", unit: "0.3")]),
                .init(startDateTime: Self.at("10:30:00"), state: "PARKING", components: [component("PARKING_TIME", "0.5", unit: "2")]),
            ]
        )
        let issued = CdrIssued(
            cdrId: "CDR-20241105-000123",
            sessionId: "SES-20241105-000123",
            authorizationId: Self.reference,
            authId: "NL-EMS-C12345678-K",
            authMethod: "AUTH_REQUEST",
            locationId: "LOC-PARIS-001",
            evseUid: "EVSE-0001-1",
            currency: "EUR",
            startDateTime: Self.at("09:00:00"),
            stopDateTime: Self.at("10:45:00"),
            totalEnergy: 15,
            totalTime: 1.75,
            totalParkingTime: 0.25,
            totalCost: Decimal(string: "5.5")!,
            chargingPeriods: Self.periods,
            tariffs: [.object(tariff)],
            pricing: pricing,
            token: Self.token
        )
        let rendered = Self.objects.cdr(issued, byCommand: true, idTag: Self.started.idTag, at: Self.at("10:45:30"))
        #expect(Self.comparable(rendered) == Self.comparable(expected))
        #expect(OCPI221Checks.cdr(rendered) == [])
    }

    @Test("X2-08…X2-18: each defect a schema check misses (spec digest §11.4) is named; V2-12…V2-15 and every rendering here pass")
    func checks() throws {
        let session = OCPI221Checks.session
        let cdr = OCPI221Checks.cdr
        #expect(session(try Self.vector("V2-12"), false, "FR/ABC").isEmpty)
        #expect(session(try Self.vector("V2-13"), true, nil).isEmpty)
        #expect(session(try Self.vector("V2-14"), false, nil).isEmpty)
        #expect(cdr(try Self.vector("V2-15")).isEmpty)
        let expectations: [(String, [String], String)] = [
            ("X2-08", session(try Self.vector("X2-08"), false, nil), "start_datetime is OCPI 2.1.1's"),
            ("X2-09", session(try Self.vector("V2-12"), false, "FR/XYZ"), "the URL names FR/XYZ but the Session is FR/ABC's"),
            ("X2-10", session(try Self.vector("X2-10"), true, nil), "a PATCH must carry last_updated"),
            ("X2-11", session(try Self.vector("X2-11"), true, nil), "total_cost must be a Price object"),
            ("X2-12", session(try Self.vector("X2-12"), false, nil), "start_date_time 2024-11-05T10:00:00+01:00 is not a UTC DateTime"),
            ("X2-13", session(try Self.vector("X2-13"), false, nil), "status RESERVED is not a 2.2.1 SessionStatus"),
            ("X2-14", cdr(try Self.vector("X2-14")), "stop_date_time is OCPI 2.1.1's"),
            ("X2-15", cdr(try Self.vector("X2-15")), "cdr_token.country_code is required"),
            ("X2-16", cdr(try Self.vector("X2-16")), "id has 37 characters"),
            ("X2-17", cdr(try Self.vector("X2-17")), "the costs per dimension add up to 5.2, not total_cost 5.5"),
            ("X2-18", cdr(try Self.vector("X2-18")), "charging_periods must not be empty"),
        ]
        for (vector, problems, expected) in expectations {
            #expect(problems.contains { $0.hasPrefix(expected) }, "\(vector): \(problems)")
        }
        #expect(cdr(try Self.vector("X2-14")).contains("cdr_token is required"))
    }

    @Test("a token uid longer than OCPP 1.6's idTag becomes a stable 20-character tag; one that fits is sent as is")
    func idTags() {
        // Pinned: commands in flight across an upgrade must still bind to their transactions.
        #expect(OCPI211OCPP16.idTag(forToken: Self.token.uid) == "HB5CB265293E66C23A82")
        #expect(OCPI211OCPP16.idTag(forToken: "04A2B3C4D5E6F7") == "04A2B3C4D5E6F7")
        #expect(OCPI211OCPP16.idTag(forToken: String(repeating: "A", count: 20)) == String(repeating: "A", count: 20))
        #expect(OCPI211OCPP16.idTag(forToken: String(repeating: "A", count: 21)).count == 20)
    }

    @Test("V2-07, V2-10: the CommandResponse has a timeout always, and says why it refuses; X2-06/X2-07: no 2.1.1 value ever leaves")
    func commandAnswers() throws {
        let accepted = CommandAnswers221.response(.command(.accepted), timeoutSeconds: 30)
        #expect(accepted.data == (try Self.vector("V2-07"))["data"])
        let unknown = CommandAnswers221.response(.unknownLocation("Unknown location."), timeoutSeconds: 30)
        let v210 = try Self.vector("V2-10")
        #expect(unknown.statusCode == 2003 && unknown.data == v210["data"])
        let allResults: [CommandResult] = [.accepted, .rejected, .notSupported, .timeout, .unknownSession]
        for result in allResults {
            let response = CommandAnswers221.response(.command(result), timeoutSeconds: 30).data?["result"]?.stringValue ?? ""
            #expect(CommandAnswers221.responseTypes.contains(response), "X2-06: \(response)")
            let outcome = CommandAnswers221.result(result)["result"]?.stringValue ?? ""
            #expect(CommandAnswers221.resultTypes.contains(outcome), "X2-07: \(outcome)")
        }
        #expect(try Self.vector("X2-06")["data"]?["timeout"] == nil)
        #expect(!CommandAnswers221.resultTypes.contains(try Self.vector("X2-07")["result"]?.stringValue ?? ""))
        // V2-09's shape: a result with a DisplayText list.
        let v209 = try Self.vector("V2-09")
        let rejected = CommandAnswers221.result(.rejected)
        #expect(rejected.keys == v209.keys)
        guard case .array(let texts)? = rejected["message"], case .array(let vectorTexts)? = v209["message"] else {
            throw WaitTimedOut(what: "DisplayText lists", items: "")
        }
        #expect(texts.map(\.keys) == [vectorTexts[0].keys] && texts.first?["language"]?.stringValue == "en")
    }
}
