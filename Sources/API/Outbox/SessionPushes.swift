import Domain
import Foundation
import Ledger
import Pricing
import Projections

/// A session's pushes to the IOP, in the link's OCPI version, all on the session's lane (FIFO:
/// the start, the progress, the end, then the CDR).
///
/// 2.1.1: PUT at the start, PATCHes with the running periods, a PATCH at the end, the CDR POST.
/// 2.2.1: PUT at the start, PATCHes with the running totals only (a 2.2.1 PATCH appends the
/// periods it carries), a whole-Session PUT at the end — every state change as a PUT, since
/// Gireve's IOP does not process Session PATCHes yet (spec digest §6.4) — and the CDR POST.
struct SessionPushes: Sendable {
    let locations: LocationRegistry

    private var objects211: OCPIObjects { OCPIObjects(locations: locations) }

    private func objects221(_ iop: IOPEndpoint) -> OCPI221Objects {
        OCPI221Objects(locations: locations, countryCode: iop.countryCode, partyId: iop.partyId, hub: iop.hub)
    }

    /// The PUT that tells the eMSP charging began, under the correlation id of the command that
    /// started it (Gireve: everything that follows from a first request shares its id).
    func started(_ started: SessionStarted, to iop: IOPEndpoint, correlationId: String?, at time: Timestamp) -> DeliveryScheduled? {
        guard let url = iop.session(started.sessionId) else { return nil }
        let body =
            switch iop.version {
            case .v211: objects211.session(started, at: time)
            case .v221: objects221(iop).object(objects221(iop).session(started), at: time)
            }
        return iop.delivery(
            id: "session-put-\(started.sessionId)",
            kind: .sessionPut,
            target: "session:\(started.sessionId)",
            method: "PUT",
            url: url,
            body: body,
            sessionId: started.sessionId,
            correlationId: correlationId
        )
    }

    /// Progress while charging: `session` as it stands after the new readings, with the running
    /// price when it has a tariff.
    func progress(
        _ session: SessionsProjection.State,
        running: SessionPricing.Priced?,
        to iop: IOPEndpoint,
        at time: Timestamp
    )
        -> DeliveryScheduled?
    {
        guard let url = iop.session(session.id) else { return nil }
        let body: JSONValue
        switch iop.version {
        case .v211:
            // Priced as if it ended at the last reading: the running total_cost the spec digest §3.1 [REC] allows.
            var patch: [String: JSONValue] = [
                "kwh": OCPIObjects.number(session.kwh), "charging_periods": OCPIObjects.periods(running?.periods ?? session.chargingPeriods),
                "last_updated": .string(time.ocpiDateTime),
            ]
            if let running { patch["total_cost"] = OCPIObjects.money(running.result.totalCost) }
            if let authorizationId = session.authorizationId, !authorizationId.isEmpty { patch["authorization_id"] = .string(authorizationId) }
            body = .object(patch)
        case .v221:
            body = objects221(iop).progress(kwh: session.kwh, totalCost: running?.result.totalCost, at: time)
        }
        return iop.delivery(
            id: "session-patch-\(session.id)-\(time.millisecondsSinceEpoch)",
            kind: .sessionPatch,
            target: "session:\(session.id)",
            method: "PATCH",
            url: url,
            body: body,
            sessionId: session.id
        )
    }

    /// The end: the Session's last state, then its CDR. `final` is the session with its last
    /// reading; `cdr` what was issued for it.
    func ended(
        _ session: SessionsProjection.State,
        final: SessionsProjection.State,
        ended: SessionEnded,
        cdr: CdrIssued,
        to iop: IOPEndpoint,
        at time: Timestamp
    ) -> [DeliveryScheduled] {
        guard let sessionURL = iop.session(session.id), let cdrsURL = iop.module("cdrs") else { return [] }
        let end: DeliveryScheduled
        let cdrBody: JSONValue
        switch iop.version {
        case .v211:
            end = iop.delivery(
                id: "session-patch-\(session.id)-completed",
                kind: .sessionPatch,
                target: "session:\(session.id)",
                method: "PATCH",
                url: sessionURL,
                body: objects211.sessionCompleted(
                    session,
                    ended: ended,
                    kwh: final.kwh,
                    periods: cdr.chargingPeriods,
                    totalCost: cdr.pricing == nil ? nil : cdr.totalCost,
                    at: time
                ),
                sessionId: session.id
            )
            cdrBody = objects211.cdr(cdr, at: time)
        case .v221:
            let objects = objects221(iop)
            var completed = objects.session(final)
            completed.endedAt = ended.endedAt
            completed.periods = cdr.chargingPeriods
            completed.totalCost = cdr.pricing == nil ? nil : cdr.totalCost
            completed.status = SessionStatus.completed.rawValue
            end = iop.delivery(
                id: "session-put-\(session.id)-completed",
                kind: .sessionPut,
                target: "session:\(session.id)",
                method: "PUT",
                url: sessionURL,
                body: objects.object(completed, at: time),
                sessionId: session.id
            )
            cdrBody = objects.cdr(cdr, byCommand: !session.commandIds.isEmpty, idTag: session.idTag, at: time)
        }
        let post = iop.delivery(
            id: "cdr-\(cdr.cdrId)",
            kind: .cdr,
            target: "session:\(session.id)",
            method: "POST",
            url: cdrsURL,
            body: cdrBody,
            sessionId: session.id,
            cdrId: cdr.cdrId
        )
        return [end, post]
    }
}
