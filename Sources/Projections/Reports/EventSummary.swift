import Domain
import Ledger

/// One line per event for the audit timeline: what a person settling a dispute needs to read.
enum EventSummary {
    /// An OCPI 2.2.1 request's ids and routing, as a dispute quotes them.
    static func describe(_ exchange: OCPIExchange) -> String {
        [
            exchange.requestId.map { "X-Request-ID \($0)" }, exchange.correlationId.map { "X-Correlation-ID \($0)" },
            exchange.from.map { "from \($0)" }, exchange.to.map { "to \($0)" },
        ].compactMap { $0 }.joined(separator: ", ")
    }

    static func describe(_ event: DomainEvent) -> String {
        switch event {
        case .commandReceived(let e):
            var parts = ["\(e.command) \(e.commandId)"]
            if let location = e.locationId { parts.append("at \(location)/\(e.evseUid ?? "?")") }
            if let token = e.tokenUid { parts.append("token \(token)") }
            if let session = e.sessionId { parts.append("session \(session)") }
            let name = e.ocpiVersion == nil ? "authorization_id" : "authorization_reference"
            parts.append(e.authorizationId.map { "\(name) \($0)" } ?? "no \(name)")
            if let version = e.ocpiVersion { parts.append("OCPI \(version)") }
            if let exchange = e.exchange { parts.append(describe(exchange)) }
            return parts.joined(separator: ", ")
        case .commandAnswered(let e):
            return "answered HTTP \(e.httpStatus), OCPI \(e.statusCode)" + (e.result.map { ", \($0)" } ?? "")
                + (e.statusMessage.map { " (\($0))" } ?? "") + (e.duplicateOf.map { ", repeat of \($0)" } ?? "")
        case .commandDispatched(let e):
            return "\(e.action) sent to \(e.chargePointId) (message \(e.messageId)"
                + (e.remoteStartId.map { ", remoteStartId \($0)" } ?? "") + "), deadline \(e.deadline.iso8601)"
        case .chargerResponded(let e):
            return "charger \(e.chargePointId) answered \(e.result): \(e.frame)"
        case .lateChargerResponse(let e):
            return "charger \(e.chargePointId) answered \(e.result) after the timeout: \(e.frame)"
        case .commandTimedOut(let e):
            return "no charger answer by \(e.deadline.iso8601): TIMEOUT"
        case .commandResultQueued(let e):
            return "result \(e.result) queued for response_url (delivery \(e.deliveryId))"
        case .commandWarning(let e):
            return "warning for \(e.commandId): \(e.warning)"
        case .ocppFrameRejected(let e):
            return "\(e.chargePointId) sent an invalid frame, answered \(e.errorCode) (\(e.description)): \(e.frame)"
        case .transactionAnomaly(let e):
            return "\(e.chargePointId) transaction \(e.transactionId): \(e.reason)"
        case .transactionMessageRepeated(let e):
            return "\(e.chargePointId) sent \(e.action) of transaction \(e.transactionId) again (message \(e.messageId)): answered as before, "
                + "matched on \(e.matchedOn.joined(separator: "+"))"
        case .transactionEventReceived(let e):
            return "\(e.chargePointId) TransactionEvent \(e.eventType) (\(e.triggerReason)) of transaction \(e.transactionId), seqNo \(e.seqNo)"
                + (e.remoteStartId.map { ", remoteStartId \($0)" } ?? "") + (e.offline == true ? ", queued offline" : "")
                + " at \(e.timestamp.iso8601)"
        case .chargePointConnected(let e):
            return "\(e.chargePointId) connected" + (e.subprotocol.map { " (\($0))" } ?? "")
        case .chargePointDisconnected(let e):
            return "\(e.chargePointId) disconnected" + (e.reason.map { ": \($0)" } ?? "")
        case .bootNotified(let e):
            return "\(e.chargePointId) booted (\(e.vendor) \(e.model))"
        case .connectorStatusChanged(let e):
            return "\(e.chargePointId) connector \(e.connectorId) \(e.status)"
        case .locationPublished(let e):
            return "location \(e.locationId) published from \(e.source)"
        case .evseStatusChanged(let e):
            return "EVSE \(e.evseUid) at \(e.locationId) \(e.previous ?? "(none)") → \(e.status): \(e.cause)"
        case .authorizeRequested(let e):
            return "RFID \(e.idTag) swiped at \(e.chargePointId)" + (e.evseUid.map { " (\($0))" } ?? "")
        case .authorizationDecided(let e):
            return "RFID \(e.idTag) \(e.allowed) by \(e.decidedBy)"
                + (e.authorizationId.map { ", authorization_id \($0)" } ?? ", no authorization_id")
        case .sessionStarted(let e):
            return "session \(e.sessionId) started on \(e.evseUid) (transaction \(e.transactionId), id tag \(e.idTag), meter \(e.meterStartWh) Wh)"
                + (e.authorizationId.map { ", authorization_id \($0)" } ?? ", no authorization_id")
        case .authorizationBound(let e):
            let outcome =
                e.candidates == 1
                ? "bound to \(e.authorizationId ?? "(no authorization_id)")" + (e.commandId.map { " via command \($0)" } ?? "")
                : "not bound: \(e.candidates) candidates"
            return "session \(e.sessionId) \(outcome), matched on \(e.matchedOn.joined(separator: "+"))"
                + (e.remoteStartId.map { " (remoteStartId \($0))" } ?? "") + (e.deltaMs.map { ", Δt \($0) ms" } ?? "")
        case .meterValuesRecorded(let e):
            return "session \(e.sessionId) meter \(e.meterWh) Wh at \(e.measuredAt.iso8601)"
        case .sessionEnded(let e):
            return "session \(e.sessionId) ended at \(e.endedAt.iso8601), meter \(e.meterStopWh) Wh" + (e.reason.map { " (\($0))" } ?? "")
        case .cdrIssued(let e):
            return "CDR \(e.cdrId) for session \(e.sessionId): \(e.totalEnergy) kWh, \(e.startDateTime.iso8601) → \(e.stopDateTime.iso8601)"
                + (e.authorizationId.map { ", authorization_id \($0)" } ?? ", no authorization_id")
                + (e.pricing.map { ", total_cost \(e.totalCost.canonicalText) \(e.currency) (tariff \($0.tariff.description))" }
                    ?? ", not priced (no tariff)")
        case .tariffPublished(let e):
            return "tariff \(e.tariffId) published (last_updated \(e.lastUpdated)) from \(e.source)"
        case .tariffWithdrawn(let e):
            return "tariff \(e.tariffId) withdrawn (last_updated \(e.lastUpdated) was in force) by \(e.source)"
        case .credentialsTokenIssued(let e):
            return "a credentials \(e.purpose) token made by \(e.by) (kept as a hash)"
        case .iopRegistered(let e):
            let modules = e.endpoints.map(\.identifier).joined(separator: ", ")
            return
                "IOP \(e.countryCode)*\(e.partyId) (\(e.businessName)) \(e.reason == "update" ? "updated its credentials" : "registered") on OCPI \(e.version), initiated by \(e.initiatedBy): \(e.versionsUrl) [\(modules)]"
        case .iopUnregistered(let e):
            return "IOP connection unregistered by \(e.by): its token refused, pushes wait"
        case .deliveryScheduled(let e):
            return "\(e.kind) \(e.method) \(e.url) queued (delivery \(e.deliveryId))" + (e.ocpiVersion.map { ", OCPI \($0)" } ?? "")
                + (e.exchange.map { ", \(describe($0))" } ?? "")
        case .deliveryAttempted(let e):
            return "delivery \(e.deliveryId) attempt \(e.attempt): " + (e.error ?? "HTTP \(e.httpStatus.map(String.init) ?? "?")")
                + (e.ocpiStatus.map { ", OCPI \($0)" } ?? "") + (e.requestId.map { ", X-Request-ID \($0)" } ?? "")
        case .deliverySucceeded(let e):
            return "delivery \(e.deliveryId) delivered"
        case .deliveryParked(let e):
            return "delivery \(e.deliveryId) parked for review: \(e.reason)"
        case .deliveryAbandoned(let e):
            return "delivery \(e.deliveryId) abandoned by \(e.operatorName): \(e.reason)"
        case .deliveryRequeued(let e):
            return "delivery \(e.deliveryId) sent back to the outbox by \(e.operatorName)"
        }
    }
}
