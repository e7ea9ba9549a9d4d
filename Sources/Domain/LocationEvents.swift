import CanonicalCoding
import Ledger

/// An EVSE's OCPI status changed as the IOP sees it: the OCPP statuses of its connector and of its
/// charge point (connector 0), or the charger's absence past the grace period, mapped to one
/// OCPI 2.1.1 EVSE status (spec digest §4.6). Recorded only when the mapped status changes — a
/// charger going Preparing → Charging → Finishing stays `CHARGING` — so each one is a status
/// the IOP was (or will be) sent, and `cause` says which charger report made it.
@Canonical
public struct EvseStatusChanged: DomainEventPayload {
    public static let eventType = "EvseStatusChanged"
    public var locationId: String
    public var evseUid: String
    public var chargePointId: String
    /// OCPI 2.1.1 EVSE status: `AVAILABLE`, `CHARGING`, `RESERVED`, `INOPERATIVE`, `OUTOFORDER`, `UNKNOWN`.
    public var status: String
    /// The status it replaces; absent for the EVSE's first.
    public var previous: String?
    /// Why, in words: e.g. `StatusNotification connector 1 Preparing`, `offline since … (grace 900 s)`.
    public var cause: String
    /// When the change happened: when the ledger took the charger's report (not the charger's
    /// clock, which may run behind and would hide the change from a `date_from` pull), or the end
    /// of the grace period. What the PATCH's `last_updated` and the EVSE's say.
    public var at: Timestamp

    public init(locationId: String, evseUid: String, chargePointId: String, status: String, previous: String?, cause: String, at: Timestamp) {
        self.locationId = locationId
        self.evseUid = evseUid
        self.chargePointId = chargePointId
        self.status = status
        self.previous = previous
        self.cause = cause
        self.at = at
    }
}

/// A Location of the locations file, new or changed since it was last published, as the IOP is
/// given it (without the EVSEs' OCPP wiring; their live status is pushed apart). Recorded by
/// `ledger serve` at start-up with its PUT; nothing for an unchanged one. Gireve applies only the
/// status and tariff ids it is pushed and takes the rest from its daily pull, but the PUT tells it
/// at once, and the event says when the CPO changed what it offers.
@Canonical
public struct LocationPublished: DomainEventPayload {
    public static let eventType = "LocationPublished"
    public var locationId: String
    /// The Location object from the file, `ocpp` wiring removed.
    public var location: JSONValue
    /// Where it came from: the locations file's path.
    public var source: String

    public init(locationId: String, location: JSONValue, source: String) {
        self.locationId = locationId
        self.location = location
        self.source = source
    }
}
