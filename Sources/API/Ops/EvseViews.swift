import Domain
import Projections

/// The EVSEs as the IOP sees them, one row each on the home page.
struct EvseRow {
    var location: String
    var uid: String
    var chargePoint: String
    var status: String
    var since: String
    var changes: Int
    var cause: String
    var link: String

    init(_ state: EvseStatusesProjection.State) {
        location = state.locationId
        uid = state.evseUid
        chargePoint = state.chargePointId
        status = state.status
        since = state.lastUpdated.ocpiDateTime
        changes = state.changes
        cause = state.cause
        link = OpsLink.evse(location: state.locationId, uid: state.evseUid)
    }
}

/// `/ops/evse`: one EVSE's status history, newest first, each change with the PATCH that told the IOP.
struct EvsePage {
    struct ChangeRow {
        var at: String
        var previous: String
        var status: String
        var cause: String
        var delivery: String
        var deliveryStatus: String
        var attempts: Int
        var lastError: String
    }

    let page: PageFrame
    let location: String
    let uid: String
    let changes: [ChangeRow]

    init(page: PageFrame, location: String, uid: String, history: [EvseHistory.Change]) {
        self.page = page
        self.location = location
        self.uid = uid
        changes = history.map { entry in
            ChangeRow(
                at: entry.change.at.ocpiDateTime,
                previous: entry.change.previous ?? "—",
                status: entry.change.status,
                cause: entry.change.cause,
                delivery: entry.delivery?.scheduled.deliveryId ?? "not pushed (no IOP)",
                deliveryStatus: entry.delivery?.status.rawValue ?? "",
                attempts: entry.delivery?.attempts ?? 0,
                lastError: entry.delivery?.lastError ?? ""
            )
        }
    }
}
