import Foundation
import Ledger

/// The CPO's locations (`--locations`), and which charger is behind each EVSE.
///
/// The file is a JSON array of OCPI 2.1.1 Location objects whose EVSEs each carry an extra
/// `"ocpp": {"charge_point_id": "...", "connector_id": 1}`. Locations are kept as parsed JSON so
/// that Sessions and CDRs can later carry them exactly as configured.
///
/// A charge point that authenticates with OCPP 1.6 security profile 1 (HTTP Basic) has
/// `"password_sha256"` in its `ocpp` object: see `ChargerPassword`.
public struct LocationRegistry: Sendable {
    /// Where an EVSE is, and the OCPP connector that serves it.
    public struct EVSE: Sendable, Equatable {
        public let locationId: String
        public let uid: String
        public let chargePointId: String
        public let connectorId: Int
        public let capabilities: Set<String>
        /// The `tariff_id` of each of its OCPI connectors that names one, in order.
        public let tariffIds: [String]
        /// The `id` of each of its OCPI connectors, in order: what an OCPI 2.2.1 Session names.
        public let connectorIds: [String]
        /// The OCPP 2.0.1 `evseId` of this EVSE at its station (`"evse_id"` in the `ocpp` object;
        /// by default its `connector_id`, as OCPI advises presenting each 1.6 connector as an EVSE).
        public let ocppEvseId: Int

        /// The tariff a session here is priced with: the first connector's (one OCPP connector
        /// serves the EVSE; Gireve too takes the first connector's tariff for an EVSE).
        public var tariffId: String? { tariffIds.first }
    }

    public let locations: [String: JSONValue]
    /// Location ids in the file's order: the order the Locations module lists them in.
    public let locationIds: [String]
    private let evses: [String: [String: EVSE]]
    private let byConnector: [ConnectorKey: EVSE]
    /// Each charge point's EVSEs by connector id, built once: asked at every connection and
    /// StatusNotification, a scan of every connector would make a storm of N chargers cost N².
    private let byChargePoint: [String: [EVSE]]
    /// `password_sha256` by charge point, for those that must log in.
    private let passwordHashes: [String: String]
    /// The OCPP version a charge point's `ocpp` objects name (`"version": "1.6"` or `"2.0.1"`), for
    /// a charger that offers both subprotocols; absent: the newest it offers.
    private let versions: [String: String]

    private struct ConnectorKey: Hashable, Sendable {
        let chargePointId: String
        let connectorId: Int
    }

    /// Every charge point named in the file: only these may open an OCPP connection.
    public var chargePointIds: Dictionary<String, [EVSE]>.Keys { byChargePoint.keys }

    /// The hash a charge point's Basic password must match; `nil` when it connects without one.
    public func passwordHash(chargePointId: String) -> String? { passwordHashes[chargePointId] }

    public init(contentsOf url: URL) throws(LocationError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw LocationError("cannot read \(url.path()): \(error.localizedDescription)")
        }
        try self.init(json: data)
    }

    public init(json: some Collection<UInt8>) throws(LocationError) {
        let document: JSONValue
        do { document = try JSONValue(parsing: json) } catch { throw LocationError("not JSON: \(error)") }
        guard case .array(let items) = document else { throw LocationError("expected a JSON array of OCPI Location objects") }
        var locations: [String: JSONValue] = [:]
        var locationIds: [String] = []
        var evses: [String: [String: EVSE]] = [:]
        var byConnector: [ConnectorKey: EVSE] = [:]
        var passwordHashes: [String: String] = [:]
        var versions: [String: String] = [:]
        for (index, location) in items.enumerated() {
            guard let id = location["id"]?.stringValue, !id.isEmpty else { throw LocationError("location \(index + 1) has no \"id\"") }
            guard locations.updateValue(location, forKey: id) == nil else { throw LocationError("location \(id) appears twice") }
            locationIds.append(id)
            guard case .array(let evseItems)? = location["evses"] else { continue }
            for evse in evseItems {
                guard let uid = evse["uid"]?.stringValue else { throw LocationError("an EVSE of \(id) has no \"uid\"") }
                guard let chargePointId = evse["ocpp"]?["charge_point_id"]?.stringValue,
                    let connectorId = evse["ocpp"]?["connector_id"]?.int64Value
                else {
                    throw LocationError("EVSE \(uid) of \(id) has no \"ocpp\": {\"charge_point_id\", \"connector_id\"}")
                }
                var capabilities: Set<String> = []
                if case .array(let values)? = evse["capabilities"] { capabilities = Set(values.compactMap(\.stringValue)) }
                var tariffIds: [String] = []
                var connectorIds: [String] = []
                if case .array(let connectors)? = evse["connectors"] {
                    tariffIds = connectors.compactMap { $0["tariff_id"]?.stringValue }
                    connectorIds = connectors.compactMap { $0["id"]?.stringValue }
                }
                let ocppEvseId = evse["ocpp"]?["evse_id"]?.int64Value ?? connectorId
                guard ocppEvseId > 0 else { throw LocationError("EVSE \(uid): the ocpp evse_id must be above 0 (OCPP 2.0.1 EVSE ids are)") }
                let entry = EVSE(
                    locationId: id,
                    uid: uid,
                    chargePointId: chargePointId,
                    connectorId: Int(connectorId),
                    capabilities: capabilities,
                    tariffIds: tariffIds,
                    connectorIds: connectorIds,
                    ocppEvseId: Int(ocppEvseId)
                )
                if let version = evse["ocpp"]?["version"]?.stringValue {
                    guard OCPPVersion(version: version) != nil else {
                        throw LocationError("EVSE \(uid): ocpp version must be \"1.6\" or \"2.0.1\", not \"\(version)\"")
                    }
                    guard versions.updateValue(version, forKey: chargePointId).map({ $0 == version }) ?? true else {
                        throw LocationError("charge point \(chargePointId) is given two different ocpp versions")
                    }
                }
                guard evses[id, default: [:]].updateValue(entry, forKey: uid) == nil else {
                    throw LocationError("EVSE \(uid) appears twice in \(id)")
                }
                if let hash = evse["ocpp"]?["password_sha256"]?.stringValue {
                    guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                        throw LocationError("EVSE \(uid): password_sha256 must be 64 hex digits (`ledger charger-key \(chargePointId)` makes one)")
                    }
                    guard passwordHashes.updateValue(hash.lowercased(), forKey: chargePointId).map({ $0 == hash.lowercased() }) ?? true else {
                        throw LocationError("charge point \(chargePointId) has two different password_sha256 values")
                    }
                }
                let key = ConnectorKey(chargePointId: chargePointId, connectorId: Int(connectorId))
                guard byConnector.updateValue(entry, forKey: key) == nil else {
                    throw LocationError("charge point \(chargePointId) connector \(connectorId) serves two EVSEs")
                }
            }
        }
        self.locations = locations
        self.locationIds = locationIds
        self.evses = evses
        self.byConnector = byConnector
        self.byChargePoint = Dictionary(grouping: byConnector, by: \.key.chargePointId).mapValues { connectors in
            connectors.sorted { $0.key.connectorId < $1.key.connectorId }.map(\.value)
        }
        self.passwordHashes = passwordHashes
        self.versions = versions
    }

    public func hasLocation(_ id: String) -> Bool { locations[id] != nil }

    /// A Location as it is published: the file's object without its EVSEs' `ocpp` wiring.
    public func published(_ id: String) -> JSONValue? {
        guard case .object(var members)? = locations[id] else { return nil }
        if case .array(let evses)? = members["evses"] {
            members["evses"] = .array(
                evses.map { evse in
                    guard case .object(var fields) = evse else { return evse }
                    fields["ocpp"] = nil
                    return .object(fields)
                }
            )
        }
        return .object(members)
    }

    /// Every EVSE, by location and uid.
    public var allEVSEs: [EVSE] {
        evses.keys.sorted().flatMap { location in evses[location, default: [:]].values.sorted { $0.uid < $1.uid } }
    }

    /// The location's `time_zone` (IANA), `nil` when absent or unknown.
    public func timeZone(of locationId: String) -> TimeZone? {
        locations[locationId]?["time_zone"]?.stringValue.flatMap(TimeZone.init(identifier:))
    }

    public func evse(location: String, uid: String) -> EVSE? { evses[location]?[uid] }

    /// The EVSEs a charge point serves, by connector.
    public func evses(chargePointId: String) -> [EVSE] {
        byChargePoint[chargePointId] ?? []
    }

    public func evse(chargePointId: String, connectorId: Int) -> EVSE? {
        byConnector[ConnectorKey(chargePointId: chargePointId, connectorId: connectorId)]
    }

    /// The EVSE an OCPP 2.0.1 station calls `evseId`.
    public func evse(chargePointId: String, ocppEvseId: Int) -> EVSE? {
        evses(chargePointId: chargePointId).first { $0.ocppEvseId == ocppEvseId }
    }

    /// The OCPP version the locations file names for this charge point, if it names one.
    public func ocppVersion(chargePointId: String) -> OCPPVersion? { versions[chargePointId].flatMap(OCPPVersion.init(version:)) }
}

public struct LocationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = "locations file: \(description)" }
}
