import Domain
import Foundation
import Ledger
import Projections
import Testing

@testable import API

/// The pieces of the OCPP 2.0.1 edge that need no station: energy registers, token and id
/// mapping, the subprotocol choice, and the schemas the central system checks frames against.
@Suite("OCPP 2.0.1 translation")
struct OCPP201TranslationTests {
    @Test("energy registers: kWh and multipliers scaled in Decimal, per-phase and inlet samples and other measurands left out")
    func energyRegisters() throws {
        let meterValue = try JSONValue(
            parsing: #"""
                [{"timestamp":"2025-03-14T09:15:07Z","sampledValue":[
                  {"value":1525742.5,"context":"Sample.Periodic","unitOfMeasure":{"unit":"Wh"}},
                  {"value":412.3374,"unitOfMeasure":{"unit":"kWh"}},
                  {"value":15.2,"unitOfMeasure":{"unit":"Wh","multiplier":3}},
                  {"value":10.93,"measurand":"Power.Active.Import","unitOfMeasure":{"unit":"kW"}},
                  {"value":500,"phase":"L1"},
                  {"value":98231.4,"location":"Inlet","unitOfMeasure":{"unit":"kWh"}},
                  {"value":-0.5}
                ]}]
                """#
        )
        let samples = EnergyRegister.samples(meterValue)
        // 1525742.5 and -0.5 round half away from zero; 412.3374 kWh is 412337.4 Wh.
        #expect(samples.map(\.reading.wh) == [1_525_743, 412_337, 15_200, -1])
        #expect(samples.first?.context == "Sample.Periodic" && samples.last?.context == "Sample.Periodic")
        #expect(EnergyRegister.samples(nil).isEmpty)
    }

    @Test("a station's transaction is one OCPI session whatever the case of its id, and never another station's")
    func sessionIds() {
        let a = OCPP201Sessions.sessionId(chargePointId: "CS-1", transactionId: TransactionId(station: "TX-00000042"))
        #expect(a == OCPP201Sessions.sessionId(chargePointId: "CS-1", transactionId: TransactionId(station: "tx-00000042")))
        #expect(a != OCPP201Sessions.sessionId(chargePointId: "CS-2", transactionId: TransactionId(station: "TX-00000042")))
        #expect(a.count == 36 && UUID(uuidString: a) != nil, "a UUID: OCPI's CiString(36)")
        #expect(Array(a)[14] == "8", "version 8 (RFC 9562 §5.8)")
    }

    @Test("missing seqNos: every gap between the first and the last received, at most 100 named")
    func missingSeqNos() throws {
        var session = try #require(try Self.session())
        session.seqNos = [2, 3, 5, 9]
        #expect(session.missingSeqNos == [4, 6, 7, 8])
        session.seqNos = [0, 1, Int(Int32.max)]
        #expect(session.missingSeqNos == Array(2..<102))
        session.seqNos = nil
        #expect(session.missingSeqNos.isEmpty)
    }

    static func session() throws -> SessionsProjection.State? {
        var state: SessionsProjection.State?
        SessionsProjection().apply(
            &state,
            LoggedEvent(
                position: 1,
                recordedAt: Station201.vectorTime,
                event: .sessionStarted(
                    SessionStarted(
                        sessionId: "S",
                        chargePointId: Station201.id,
                        connectorId: 1,
                        transactionId: TransactionId(station: "T"),
                        idTag: "X",
                        locationId: "L",
                        evseUid: "E",
                        authId: "X",
                        authMethod: "AUTH_REQUEST",
                        startedAt: Station201.vectorTime,
                        meterStartWh: 0,
                        currency: "EUR"
                    )
                )
            )
        )
        return state
    }

    @Test("transaction ids keep the form they were recorded in: 1.6 ids as numbers, 2.0.1 ids as strings")
    func transactionIdForms() throws {
        struct Holder: Codable, Equatable { var id: TransactionId }
        #expect(try CanonicalEncoder.text(of: Holder(id: 42)) == #"{"id":42}"#)
        #expect(try CanonicalEncoder.text(of: Holder(id: TransactionId(station: "42"))) == #"{"id":"42"}"#)
        #expect(try CanonicalDecoder.decode(Holder.self, from: #"{"id":42}"#).id.number == 42)
        #expect(try CanonicalDecoder.decode(Holder.self, from: #"{"id":"Tx-1"}"#).id == TransactionId(station: "Tx-1"))
        #expect(TransactionId(station: "Tx-1").matches("TX-1"))
    }

    @Test("OCPI tokens as IdTokens: RFID as ISO14443 (ISO15693 for 8-byte uids), every other type Central")
    func idTokens() {
        #expect(
            OCPI211OCPP201.idToken(uid: "04A2B3C4D5E6F7", type: "RFID")
                == .object(["idToken": .string("04A2B3C4D5E6F7"), "type": .string("ISO14443")])
        )
        #expect(OCPI211OCPP201.idToken(uid: "E004010012345678", type: "RFID")["type"] == .string("ISO15693"))
        for type in ["APP_USER", "AD_HOC_USER", "OTHER", nil] {
            #expect(OCPI211OCPP201.idToken(uid: "APP9F2A11C4", type: type)["type"] == .string("Central"))
        }
    }

    @Test("OCPI commands become exactly the CALL payloads of the vectors G2.1, G2.7, G6.1 and G6.3")
    func commandCalls() throws {
        let evse = try #require(try Station201.locations().evse(location: "LOC-PARIS-0042", uid: Station201.evseUids[1]!))
        let token =
            #"{"uid":"APP9F2A11C4","type":"OTHER","auth_id":"NL-EMP-C12345678-X","issuer":"EMP","valid":true,"whitelist":"ALWAYS","last_updated":"2025-03-01T00:00:00Z"}"#
        func request(_ type: CommandType, _ members: String) throws -> CommandRequest {
            try CommandRequest(type: type, body: try JSONValue(parsing: #"{"response_url":"https://iop.example.net/r",\#(members)}"#))
        }
        func payload(_ group: String, _ index: Int) throws -> JSONValue { try #require(Station201.frames(group)[index].frame.arrayItems?[3]) }

        let start = try request(.startSession, #""token":\#(token),"location_id":"LOC-PARIS-0042","evse_uid":"\#(evse.uid)""#)
        let requestStart = OCPI211OCPP201.call(for: start, at: evse, remoteStartId: 418)
        let g21 = try payload("G2", 0)
        #expect(requestStart.action == "RequestStartTransaction" && requestStart.payload == g21)
        let stop = OCPI211OCPP201.stopCall(transactionId: TransactionId(station: "7c9e6679-7425-40de-944b-e07fc1f90ae7"))
        let g27 = try payload("G2", 6)
        #expect(stop.action == "RequestStopTransaction" && stop.payload == g27)
        let reserve = try request(
            .reserveNow,
            #""token":\#(token),"expiry_date":"2025-03-14T15:30:00Z","reservation_id":1001,"location_id":"LOC-PARIS-0042","evse_uid":"\#(evse.uid)""#
        )
        let reserveNow = OCPI211OCPP201.call(for: reserve, at: evse, remoteStartId: nil)
        let g61 = try payload("G6", 0)
        #expect(reserveNow.action == "ReserveNow" && reserveNow.payload == g61)
        let unlock = try request(.unlockConnector, #""location_id":"LOC-PARIS-0042","evse_uid":"\#(evse.uid)","connector_id":"1""#)
        let unlockConnector = OCPI211OCPP201.call(for: unlock, at: evse, remoteStartId: nil)
        let g63 = try payload("G6", 2)
        #expect(unlockConnector.action == "UnlockConnector" && unlockConnector.payload == g63)
        // G6.2, G6.4, G6.6 (Rejected with TxInProgress) and X14 (a status the action has not) as OCPI results.
        #expect(OCPI211OCPP201.result(of: "ReserveNow", status: "Accepted") == .accepted)
        #expect(OCPI211OCPP201.result(of: "UnlockConnector", status: "Unlocked") == .accepted)
        #expect(OCPI211OCPP201.result(of: "RequestStartTransaction", status: "Rejected") == .rejected)
        #expect(OCPI211OCPP201.result(of: "RequestStartTransaction", status: "Started") == .rejected)
    }

    @Test("the subprotocol: the version the locations file names when offered, else the newest offered, else none")
    func agreedSubprotocol() {
        #expect(OCPPVersion.agreed(offered: ["ocpp1.6", "ocpp2.0.1"], named: nil) == .v201)
        #expect(OCPPVersion.agreed(offered: ["ocpp2.0.1", "ocpp1.6"], named: .v16) == .v16)
        #expect(OCPPVersion.agreed(offered: ["ocpp1.6"], named: .v201) == .v16)
        #expect(OCPPVersion.agreed(offered: ["ocpp2.0", "ocpp2.1"], named: nil) == nil)
    }

    @Test("every valid station frame of the digest's vectors passes the shipped schemas")
    func vectorsPassTheSchemas() throws {
        for group in ["G1", "G2", "G3", "G4", "G5", "G6"] {
            for (dir, frame) in try Station201.frames(group) where dir == "CS->CSMS" {
                guard let items = frame.arrayItems, items.count == 4, let action = items[2].stringValue, let id = items[1].stringValue else {
                    continue
                }
                #expect(throws: Never.self, "\(group) \(action)") { try OCPP201Schema.check(action, items[3], messageId: id) }
            }
        }
    }

    @Test(
        "the shipped schemas are the Python ocpp package's, byte for byte",
        .enabled(if: Self.packageSchemas != nil, "the Python ocpp package is not in .build-python/ (scripts/test installs it)")
    )
    func schemasAreThePackages() throws {
        for action in OCPP201Schema.handled {
            let ours = try Data(contentsOf: Self.repository.appending(path: "Sources/API/OCPP201/Schemas/\(action)Request.json"))
            let theirs = try Data(contentsOf: try #require(Self.packageSchemas).appending(path: "\(action)Request.json"))
            #expect(ours == theirs, "\(action)Request.json")
            #expect(OCPP201Schema.requests[action] != nil, "\(action) is loaded from the bundle")
        }
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `ocpp/v201/schemas` of the Python package scripts/test installs into `.build-python/`.
    static var packageSchemas: URL? {
        let lib = repository.appending(path: ".build-python/lib")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib.path())) ?? []
        return versions.map { lib.appending(path: "\($0)/site-packages/ocpp/v201/schemas") }
            .first { FileManager.default.fileExists(atPath: $0.appending(path: "TransactionEventRequest.json").path()) }
    }
}
