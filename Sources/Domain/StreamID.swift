/// The streams the ledger writes, one per thing with a lifecycle (docs/ARCHITECTURE.md §2): the
/// only place their names are spelled, so a reader of `ops:` actions and a writer of sessions
/// cannot disagree on a prefix.
public enum StreamID {
    /// A command's lifecycle, from its receipt to its result's delivery.
    public static func command(_ commandId: String) -> String { "command-\(commandId)" }
    /// A charging session (its id is the OCPP transaction id).
    public static func session(_ sessionId: String) -> String { "session-\(sessionId)" }
    /// A charge point's connections, boots, statuses, swipes and refused frames.
    public static func chargePoint(_ chargePointId: String) -> String { "chargepoint-\(chargePointId)" }
    /// One delivery's attempts and ops actions (its scheduling is on the stream that caused it).
    public static func delivery(_ deliveryId: String) -> String { "delivery-\(deliveryId)" }
    /// A tariff's versions and withdrawals.
    public static func tariff(_ tariffId: String) -> String { "tariff-\(tariffId)" }
    /// A Location's publications.
    public static func location(_ locationId: String) -> String { "location-\(locationId)" }
    /// The connection to the IOP: invitations, registrations, updates, unregistration.
    public static let iopConnection = "iop-connection"
}
