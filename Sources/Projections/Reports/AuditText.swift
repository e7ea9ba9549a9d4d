import Domain
import Ledger

extension AuditReport {
    /// The report for a person: what was authorized, what came of it, what looks wrong, then every event.
    public var text: String {
        var lines = ["authorization_id \(authorizationId)"]
        for source in sources {
            lines.append("  received via \(source.kind) \(source.reference) at \(source.at.iso8601) (#\(source.position))")
        }
        lines.append("")
        lines.append("Commands (\(commands.count))")
        for command in commands {
            var line = "  \(command.commandId) \(command.command) received \(command.receivedAt.iso8601)"
            if let answer = command.answer { line += ", answered \(answer.result ?? "OCPI \(answer.statusCode)")" }
            if let dispatch = command.dispatch { line += ", sent to \(dispatch.chargePointId)" }
            line += ", status \(command.status)"
            if let late = command.lateChargerResult { line += " (charger said \(late) late)" }
            if let result = command.resultQueued { line += ", result \(result) queued" }
            line += command.sessionIds.isEmpty ? ", no session" : ", sessions \(command.sessionIds.joined(separator: ", "))"
            lines.append(line)
        }
        lines.append("")
        lines.append("Sessions (\(sessions.count))")
        for session in sessions {
            lines.append(
                "  \(session.id) \(session.status) \(session.kwh) kWh, \(session.startDatetime.iso8601) → \(session.endDatetime?.iso8601 ?? "…"), EVSE \(session.evseUid), id tag \(session.idTag), authorization_id \(session.authorizationId ?? "(none)")"
            )
            if session.authorizations.count > 1 {
                lines.append(
                    "    authorizations received: "
                        + session.authorizations.map { "\($0.authorizationId) at \($0.at.iso8601)" }.joined(separator: ", ")
                )
            }
            for binding in session.bindings {
                lines.append(
                    "    binding #\(binding.position): \(binding.candidates) candidate(s), matched on \(binding.matchedOn.joined(separator: "+"))"
                        + (binding.deltaMs.map { ", Δt \($0) ms" } ?? "")
                )
            }
        }
        lines.append("")
        lines.append("CDRs (\(cdrs.count))")
        for cdr in cdrs {
            lines.append(
                "  \(cdr.cdrId) session \(cdr.sessionId) \(cdr.totalEnergy) kWh, \(cdr.startDateTime.iso8601) → \(cdr.stopDateTime.iso8601), authorization_id \(cdr.authorizationId ?? "(none)"), total_cost \(cdr.totalCost.canonicalText) \(cdr.currency)"
            )
            if let pricing = cdr.pricing {
                lines += PriceExplanation.lines(pricing, totalCost: cdr.totalCost, currency: cdr.currency).map { "    " + $0 }
            } else {
                lines.append("    not priced: the session started with no tariff")
            }
        }
        if !deliveries.isEmpty {
            lines.append("")
            lines.append("Deliveries (\(deliveries.count))")
            for delivery in deliveries {
                let scheduled = delivery.scheduled
                lines.append(
                    "  \(scheduled.deliveryId) \(scheduled.kind) \(scheduled.method) \(scheduled.url): \(delivery.status) after \(delivery.attempts) attempt(s)"
                        + (delivery.lastError.map { ", last: \($0)" } ?? "")
                )
            }
        }
        lines.append("")
        lines.append("Anomalies (\(anomalies.count))")
        for anomaly in anomalies {
            lines.append("  [\(anomaly.kind.rawValue)] \(anomaly.subject): \(anomaly.detail)")
        }
        lines.append("")
        lines.append("Timeline (\(timeline.count) events)")
        for entry in timeline {
            lines.append("  #\(entry.position) \(entry.recordedAt.iso8601) \(entry.source) \(entry.type): \(entry.summary)")
        }
        return lines.joined(separator: "\n")
    }
}
