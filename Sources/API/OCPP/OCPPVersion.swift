/// The OCPP versions this central system speaks, each on the WebSocket subprotocol that names it.
/// One listener serves both: the subprotocol agreed at the upgrade picks the messages, schemas and
/// translations of the connection (OCPP 2.0.1 Part 4 §3.1.2).
public enum OCPPVersion: String, Sendable, CaseIterable {
    case v16 = "ocpp1.6"
    case v201 = "ocpp2.0.1"

    /// The subprotocol name (`Sec-WebSocket-Protocol`).
    public var subprotocol: String { rawValue }

    /// As the locations file and the docs name it: `1.6`, `2.0.1`.
    public var version: String { self == .v16 ? "1.6" : "2.0.1" }

    public init?(version: String) {
        guard let found = Self.allCases.first(where: { $0.version == version }) else { return nil }
        self = found
    }

    /// A recorded connection's (`ChargePointConnected.subprotocol`, absent before 2.0.1: 1.6).
    public init(recorded subprotocol: String?) {
        self = subprotocol.flatMap(Self.init(rawValue:)) ?? .v16
    }

    /// The one to agree on from what a charger offers: the version its locations entry names
    /// when it offers that one, else the newest offered; `nil` when it offers none of ours.
    static func agreed(offered: [String], named: OCPPVersion?) -> OCPPVersion? {
        let ours = offered.compactMap(Self.init(rawValue:))
        if let named, ours.contains(named) { return named }
        return ours.contains(.v201) ? .v201 : ours.first
    }
}
