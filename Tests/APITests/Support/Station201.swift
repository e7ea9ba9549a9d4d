import API
import Foundation
import Ledger
import LedgerTesting

/// What the OCPP 2.0.1 tests share: the spec digest's vectors (`Vectors/ocpp201.json`, copied
/// unchanged from ocpp-2.0.1-vectors/vectors.json) and a locations file that wires their
/// station, `CS-ACME-0001`, beside the examples' 1.6 chargers.
enum Station201 {
    static let id = "CS-ACME-0001"
    /// The OCPI EVSE of the station's EVSE 1 (the uid the digest's G2 StartSession names), 2 and 3.
    static let evseUids = [1: "3f0c9a52-5b1e-4c52-a9a0-7d1e2c3b4a01", 2: "EVSE-ACME-2", 3: "EVSE-ACME-3"]
    /// The vectors' clock: G1 starts at 08:59 on 14 March 2025.
    static let vectorTime = Timestamp(iso8601: "2025-03-14T08:58:00Z")!

    /// The examples' locations with the station's three EVSEs added to LOC-PARIS-0042, each
    /// `"ocpp": {"charge_point_id", "evse_id", "connector_id"}` (+ `version` when given).
    static func locations(version: String? = nil) throws -> LocationRegistry {
        guard case .array(var items) = try JSONValue(parsing: Data(contentsOf: ServerHarness.examplesLocations)),
            case .object(var location) = items[0], case .array(var evses)? = location["evses"]
        else { throw WaitTimedOut(what: "the examples' locations", items: "") }
        for (evseId, uid) in evseUids.sorted(by: { $0.key < $1.key }) {
            var ocpp: [String: JSONValue] = [
                "charge_point_id": .string(id), "evse_id": .number(String(evseId)), "connector_id": .number(String(10 + evseId)),
            ]
            if let version { ocpp["version"] = .string(version) }
            evses.append(
                .object([
                    "uid": .string(uid), "evse_id": .string("FR*ABC*EACME*\(evseId)"), "status": .string("AVAILABLE"),
                    "capabilities": .array([.string("REMOTE_START_STOP_CAPABLE"), .string("RFID_READER")]),
                    "connectors": .array([
                        .object([
                            "id": .string("1"), "standard": .string("IEC_62196_T2"), "format": .string("SOCKET"),
                            "power_type": .string("AC_3_PHASE"), "voltage": .number("230"), "amperage": .number("32"),
                            "last_updated": .string("2025-01-15T10:00:00Z"),
                        ])
                    ]),
                    "last_updated": .string("2025-01-15T10:00:00Z"), "ocpp": .object(ocpp),
                ])
            )
        }
        location["evses"] = .array(evses)
        items[0] = .object(location)
        return try LocationRegistry(json: Array(JSONValue.array(items).canonicalText.utf8))
    }

    /// The vectors file.
    static func vectors() throws -> JSONValue {
        guard let url = Bundle.module.url(forResource: "Vectors/ocpp201", withExtension: "json") else {
            throw WaitTimedOut(what: "Vectors/ocpp201.json in the test bundle", items: "")
        }
        return try JSONValue(parsing: Data(contentsOf: url))
    }

    /// The frames of group `group` (`G1`…`G6`), in order: (direction, frame).
    static func frames(_ group: String) throws -> [(dir: String, frame: JSONValue)] {
        guard case .array(let groups)? = try vectors()["groups"], let found = groups.first(where: { $0["id"]?.stringValue == group }),
            case .array(let frames)? = found["frames"]
        else { throw WaitTimedOut(what: "vector group \(group)", items: "") }
        return frames.compactMap { item in
            guard let dir = item["dir"]?.stringValue, let frame = item["frame"] else { return nil }
            return (dir, frame)
        }
    }

    /// The invalid frames X1…X14: (id, raw text, the code the digest recommends).
    static func invalid() throws -> [(id: String, raw: String, code: String?)] {
        guard case .array(let items)? = try vectors()["invalid"] else { return [] }
        return items.compactMap { item in
            guard let id = item["id"]?.stringValue, let raw = item["raw"]?.stringValue else { return nil }
            return (id, raw, item["expect_code"]?.stringValue)
        }
    }
}

extension ChargerSimulator {
    /// Sends `frame` as it is and returns the central system's answer to it (its raw line).
    func raw(_ frame: JSONValue) async throws -> JSONValue {
        try await raw(frame.canonicalText, id: frame.arrayItems?[1].stringValue ?? "")
    }

    /// Sends `text` as it is, expecting no answer (a CALLRESULT to the central system's CALL).
    func sendRaw(_ text: String) {
        send(JSONValue.object(["send": .string("raw"), "frame": .string(text)]).canonicalText)
    }

    func raw(_ text: String, id: String) async throws -> JSONValue {
        let before = count { $0["event"]?.stringValue == "raw_response" }
        sendRaw(text)
        try await waitFor("the answer to \(id)", count: before + 1) { $0["event"]?.stringValue == "raw_response" }
        guard let answer = lines({ $0["event"]?.stringValue == "raw_response" })[before]["frame"] else {
            throw WaitTimedOut(what: "the answer to \(id)", items: "no frame")
        }
        return answer
    }
}

extension JSONValue {
    var arrayItems: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
