import Ledger

/// What a delivery carries, which decides the projection it belongs to. A struct, not an enum:
/// a log written by a newer binary may name a kind this one does not know, and must still read.
public struct DeliveryKind: CanonicalRawValue, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A command's asynchronous result, POSTed to its `response_url`.
    public static let commandResult = DeliveryKind(rawValue: "command_result")
    /// A new Session, PUT to the IOP.
    public static let sessionPut = DeliveryKind(rawValue: "session_put")
    /// A Session's change, PATCHed to the IOP.
    public static let sessionPatch = DeliveryKind(rawValue: "session_patch")
    /// A CDR, POSTed to the IOP.
    public static let cdr = DeliveryKind(rawValue: "cdr")
    /// A Tariff, new or changed, PUT to the IOP.
    public static let tariffPut = DeliveryKind(rawValue: "tariff_put")
    /// A Location, new or changed in the locations file, PUT to the IOP.
    public static let locationPut = DeliveryKind(rawValue: "location_put")
    /// An EVSE's new status, PATCHed to the IOP (Gireve: in real time, FIFO per EVSE).
    public static let evseStatus = DeliveryKind(rawValue: "evse_status_patch")

    public var description: String { rawValue }
}
