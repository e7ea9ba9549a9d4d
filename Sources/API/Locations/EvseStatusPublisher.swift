import Domain
import Foundation
import Ledger
import Projections

/// Turns what a charger reports into the OCPI EVSE statuses the IOP sees: for each EVSE the
/// report touches, its new status (`EvseStatusMapping`) compared with the one last published
/// (`EvseStatusesProjection`); each change becomes an `EvseStatusChanged` and, with an IOP, a
/// `PATCH {iop}/locations/{cc}/{party}/{location}/{evse_uid}` in the outbox — one lane per EVSE,
/// so the IOP gets its statuses in order, through outages, and a status that did not change is
/// never sent again (Gireve forwards repeated statuses once and ignores the rest).
///
/// The events go in the same append as the charger's report (`ChargePointHandler`) or the end of
/// its grace period (`OfflineWatch`): a status is never recorded without its push, or the
/// reverse.
public struct EvseStatusPublisher: Sendable {
    let store: any ProjectionStore
    let locations: LocationRegistry
    let iop: IOPLink

    public init(store: any ProjectionStore, locations: LocationRegistry, iop: IOPLink) {
        self.store = store
        self.locations = locations
        self.iop = iop
    }

    /// The charge point's statuses once `report` is applied: connector id (text; "0" is the
    /// charge point) → OCPP status, and whether it is offline past its grace period.
    public struct Report: Sendable {
        public var connectors: [String: String]
        public var offline: Bool
        /// In words, for the event: what the charger said or did.
        public var cause: String
        /// Only these EVSEs (by OCPP connector id) are considered; `nil`: all of the charge point's.
        public var connectorIds: Set<Int>?
    }

    /// A StatusNotification: the charge point's known statuses with this one applied. Connector 0
    /// touches every EVSE of the charge point; another, the EVSE it serves.
    func statusNotification(_ change: ConnectorStatusChanged, known: [String: String]) -> Report {
        var connectors = known
        connectors[String(change.connectorId)] = change.status
        return Report(
            connectors: connectors,
            offline: false,
            cause: "StatusNotification connector \(change.connectorId) \(change.status)",
            connectorIds: change.connectorId == 0 ? nil : [change.connectorId]
        )
    }

    /// The events recording each EVSE whose OCPI status `report` changes, at `at`.
    func events(chargePointId: String, _ report: Report, at: Timestamp) async throws -> [NewEvent] {
        let evses = locations.evses(chargePointId: chargePointId).filter { report.connectorIds?.contains($0.connectorId) ?? true }
        guard !evses.isEmpty else { return [] }
        let published = try await store.read(EvseStatusesProjection.of(evses.map { ($0.locationId, $0.uid) }))
        let metadata = EventMetadata(source: "ocpp:\(chargePointId)")
        let iop = try await self.iop.endpoint()
        var events: [NewEvent] = []
        for evse in evses {
            let key = EvseStatusesProjection.key(location: evse.locationId, uid: evse.uid)
            guard
                let status = EvseStatusMapping.status(
                    connector: report.connectors[String(evse.connectorId)],
                    chargePoint: report.connectors["0"],
                    offline: report.offline
                ),
                status != published[key]?.status
            else { continue }
            let changed = EvseStatusChanged(
                locationId: evse.locationId,
                evseUid: evse.uid,
                chargePointId: chargePointId,
                status: status,
                previous: published[key]?.status,
                cause: report.cause,
                at: at
            )
            events.append(try EventCoding.newEvent(changed, metadata: metadata))
            if let iop, let url = iop.evse(location: evse.locationId, uid: evse.uid) {
                let patch = iop.delivery(
                    id: "evse-status-\(evse.locationId)-\(evse.uid)-\((published[key]?.changes ?? 0) + 1)",
                    kind: .evseStatus,
                    target: "evse:\(key)",
                    method: "PATCH",
                    url: url,
                    // Digest §4.3 [REC]: every PATCH carries last_updated, the time of the change
                    // (and 2.2.1 requires it): the same body in both versions.
                    body: .object(["status": .string(status), "last_updated": .string(at.ocpiDateTime)])
                )
                events.append(try EventCoding.newEvent(patch, metadata: metadata))
            }
        }
        return events
    }
}
