/// OCPP 1.6 and 2.0.1 connector statuses → one OCPI 2.1.1 EVSE status (spec digest §4.6 [REC]; OCPI defines no
/// mapping). One OCPI EVSE per OCPP connector, so a StartSession can name the connector.
///
/// Precedence: a charger offline past its grace period is `UNKNOWN` ("also used when offline");
/// then the charge point's own status (connector 0) `Faulted`/`Unavailable` overrides its
/// connectors; then the connector's status. Mapped on the status, never on `errorCode` (an
/// error can accompany any status, L-29). Every "in use" status is `CHARGING`: OCPI 2.1.1 has no
/// "occupied", so Preparing → Charging → SuspendedEV → Finishing is one status and one PATCH.
public enum EvseStatusMapping {
    /// The EVSE's status; `nil` when nothing is known yet (no report since the ledger began):
    /// nothing is published until the charger says something.
    public static func status(connector: String?, chargePoint: String?, offline: Bool) -> String? {
        if offline { return "UNKNOWN" }
        switch chargePoint {
        case "Faulted": return "OUTOFORDER"
        case "Unavailable": return "INOPERATIVE"
        default: break
        }
        switch connector {
        case nil: return nil
        case "Available": return "AVAILABLE"
        // 2.0.1's `Occupied` is all of 1.6's in-use statuses (spec digest ocpp-2.0.1-subset.md §4.1).
        case "Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing", "Occupied": return "CHARGING"
        case "Reserved": return "RESERVED"
        case "Unavailable": return "INOPERATIVE"
        case "Faulted": return "OUTOFORDER"
        // OCPP has no other status (the schemas refuse it before it gets here).
        default: return "UNKNOWN"
        }
    }
}
