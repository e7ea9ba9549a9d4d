import API
import Foundation
import Ledger
import LedgerTesting
import Testing

/// OCPP 1.6 security profile 1 against the real Python `ocpp` charger: a charge point with a
/// `password_sha256` in the locations file must log in with HTTP Basic; the others connect as before.
@Suite("Charger authentication (security profile 1)", .serialized)
struct ChargerAuthenticationTests {
    static let key = "3f9c2a7e51d04b8c9e6f1a2b3c4d5e6f70819203"

    /// The example locations, with CP-0042-A's key hash added to its EVSE.
    static func locations() throws -> LocationRegistry {
        try LocationRegistry(json: Array(try locationsJSON().utf8))
    }

    /// The same, as the text of a locations file.
    static func locationsJSON() throws -> String {
        guard case .array(var items) = try JSONValue(parsing: Data(contentsOf: ServerHarness.examplesLocations)),
            case .object(var location) = items[0], case .array(var evses)? = location["evses"],
            case .object(var evse) = evses[0], case .object(var ocpp)? = evse["ocpp"]
        else { throw ChargerKeyError() }
        #expect(ocpp["charge_point_id"]?.stringValue == CommandPathTests.chargePoint)
        ocpp["password_sha256"] = .string(ChargerPassword.hash(chargePointId: CommandPathTests.chargePoint, key: key))
        evse["ocpp"] = .object(ocpp)
        evses[0] = .object(evse)
        location["evses"] = .array(evses)
        items[0] = .object(location)
        return JSONValue.array(items).canonicalText
    }

    struct ChargerKeyError: Error {}

    @Test("the right key connects; a wrong key, another charger's id or no login is refused; a charger without a key connects")
    func profileOne() async throws {
        try await ServerHarness.with(locations: try Self.locations()) { server in
            let right = try await ChargerSimulator.connectionOutcome(id: CommandPathTests.chargePoint, port: server.port, password: Self.key)
            #expect(right["event"]?.stringValue == "connected", "\(right)")
            for password in [String?.none, "wrong", Self.key.uppercased(), String(Self.key.dropLast())] {
                let refused = try await ChargerSimulator.connectionOutcome(id: CommandPathTests.chargePoint, port: server.port, password: password)
                #expect(refused["event"]?.stringValue == "connect_failed", "password \(password ?? "none")")
                // Security profile 1: a missing or wrong password is 401, as the OCPP security whitepaper says.
                #expect(refused["status"]?.int64Value == 401, "password \(password ?? "none"): \(refused)")
            }
            let open = try await ChargerSimulator.connectionOutcome(id: "CP-0042-B", port: server.port, password: nil)
            #expect(open["event"]?.stringValue == "connected")
            let stranger = try await ChargerSimulator.connectionOutcome(id: "CP-9999", port: server.port, password: Self.key)
            #expect(stranger["event"]?.stringValue == "connect_failed")
            #expect(stranger["status"]?.int64Value == 400, "\(stranger)")  // not a charge point of ours: no credentials to ask for
            // Only the accepted connections are on record.
            let connected = try await server.events("ChargePointConnected").compactMap { $0.data.value["charge_point_id"]?.stringValue }
            #expect(connected == [CommandPathTests.chargePoint, "CP-0042-B"])
        }
    }

    @Test("a locations file with a malformed or conflicting hash is refused with a reason")
    func malformedHash() throws {
        let bad = #"[{"id":"L","evses":[{"uid":"E1","ocpp":{"charge_point_id":"CP","connector_id":1,"password_sha256":"xyz"}}]}]"#
        #expect(throws: LocationError.self) { try LocationRegistry(json: Array(bad.utf8)) }
        let a = String(repeating: "a", count: 64)
        let b = String(repeating: "b", count: 64)
        let conflicting =
            #"[{"id":"L","evses":[{"uid":"E1","ocpp":{"charge_point_id":"CP","connector_id":1,"password_sha256":"\#(a)"}},"#
            + #"{"uid":"E2","ocpp":{"charge_point_id":"CP","connector_id":2,"password_sha256":"\#(b)"}}]}]"#
        #expect(throws: LocationError.self) { try LocationRegistry(json: Array(conflicting.utf8)) }
    }

    @Test("`ledger charger-key` prints a key and the hash that accepts it")
    func chargerKeyCommand() async throws {
        let result = try await ChildProcess.run("ledger", ["charger-key", "CP-7"], executable: ServeProcess.ledger)
        #expect(result.status == 0)
        let output = result.stdout
        let key = try #require(output.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
        #expect(key.count == 40)
        #expect(output.contains(ChargerPassword.hash(chargePointId: "CP-7", key: key)))
    }
}
