import Domain
import Foundation
import Ledger
import Projections

// What the ops page's templates render (`Ops/Templates/*.mustache`). Plain values: Mustache reads
// their stored properties by reflection (computed ones are invisible to it), escapes every
// `{{value}}` for HTML, and has no logic of its own, so every choice (a link, whether a button
// shows) is made here.

/// The frame of every page: title, the search box's text, who is logged in, a message.
struct PageFrame {
    let title: String
    let query: String
    let operatorName: String
    let message: String
    let messageIsError: Bool
    let hasMessage: Bool

    init(title: String, query: String = "", operatorName: String, message: String = "", messageIsError: Bool = false) {
        self.title = title
        self.query = query
        self.operatorName = operatorName
        self.message = message
        self.messageIsError = messageIsError
        hasMessage = !message.isEmpty
    }
}

enum OpsLink {
    static func timeline(_ authorizationId: String) -> String { "/ops/timeline?authorization_id=\(escaped(authorizationId))" }
    static func search(_ query: String) -> String { "/ops/search?q=\(escaped(query))" }
    static func delivery(_ id: String, _ action: String) -> String { "/ops/deliveries/\(escaped(id))/\(action)" }
    static func evse(location: String, uid: String) -> String { "/ops/evse?location=\(escaped(location))&uid=\(escaped(uid))" }

    static func escaped(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }
}

struct HomePage {
    struct AnomalyRow {
        var kind: String
        var subject: String
        var subjectLink: String
        var authorizationId: String
        var authorizationLink: String
        var hasAuthorization: Bool
        var detail: String
    }

    struct DeliveryRow {
        var id: String
        var kind: String
        var status: String
        var attempts: Int
        var scheduledAt: String
        var lastError: String
        var link: String
        var linkLabel: String
        var hasLink: Bool
        var isParked: Bool
        var retryAction: String
        var abandonAction: String
    }

    let page: PageFrame
    let anomalies: [AnomalyRow]
    let anomalyTotal: Int64
    let anomalyCount: Int
    let anomaliesTruncated: Bool
    let hasAnomalies: Bool
    let outbox: [DeliveryRow]
    let outboxCount: Int
    let hasOutbox: Bool
    let evses: [EvseRow]
    let hasEvses: Bool

    init(page: PageFrame, anomalies: [Anomaly], anomalyTotal: Int64, outbox: [DeliveriesProjection.State], evses: [EvseStatusesProjection.State]) {
        self.page = page
        self.anomalies = anomalies.map(Self.anomaly)
        self.anomalyTotal = anomalyTotal
        anomalyCount = anomalies.count
        anomaliesTruncated = Int64(anomalies.count) < anomalyTotal
        hasAnomalies = !anomalies.isEmpty
        self.outbox = outbox.map(Self.delivery)
        outboxCount = outbox.count
        hasOutbox = !outbox.isEmpty
        self.evses = evses.map(EvseRow.init)
        hasEvses = !evses.isEmpty
    }

    static func anomaly(_ anomaly: Anomaly) -> AnomalyRow {
        // `sessions:SES-5` → search for SES-5, which leads to its authorizations.
        let reference = anomaly.subject.split(separator: ":", maxSplits: 1).last.map(String.init) ?? anomaly.subject
        let subjectLink = anomaly.subject.hasPrefix("authorizations:") ? OpsLink.timeline(reference) : OpsLink.search(reference)
        return AnomalyRow(
            kind: anomaly.kind.rawValue,
            subject: anomaly.subject,
            subjectLink: subjectLink,
            authorizationId: anomaly.authorizationId ?? "",
            authorizationLink: anomaly.authorizationId.map(OpsLink.timeline) ?? "",
            hasAuthorization: anomaly.authorizationId != nil,
            detail: anomaly.detail
        )
    }

    static func delivery(_ state: DeliveriesProjection.State) -> DeliveryRow {
        let reference = state.scheduled.commandId ?? state.scheduled.sessionId
        return DeliveryRow(
            id: state.scheduled.deliveryId,
            kind: state.scheduled.kind.rawValue,
            status: state.status.rawValue,
            attempts: state.attempts,
            scheduledAt: state.scheduledAt.ocpiDateTime,
            lastError: state.lastError ?? "",
            link: reference.map(OpsLink.search) ?? "",
            linkLabel: reference ?? "",
            hasLink: reference != nil,
            isParked: state.status == .parked,
            retryAction: OpsLink.delivery(state.scheduled.deliveryId, "retry"),
            abandonAction: OpsLink.delivery(state.scheduled.deliveryId, "abandon")
        )
    }
}

struct TimelinePage {
    struct CommandRow { var id, type, receivedAt, answer, charger, status: String }
    struct SessionRow { var id, status, evse, start, end, kwh, authorizations: String }
    struct CdrRow {
        var id, session, authorizationId, start, stop, kwh, cost: String
        /// Why it costs that: the computation the CDR event recorded, one line per period and component.
        var pricing: String
    }
    struct DeliveryRow {
        var id, kind, status: String
        var attempts: Int
        var lastError: String
    }
    struct EventRow {
        var position: Int64
        var recordedAt, source, type, summary: String
    }
    struct AnomalyRow { var kind, subject, detail: String }

    let page: PageFrame
    let authorizationId: String
    let jsonLink: String
    let commands: [CommandRow]
    let sessions: [SessionRow]
    let cdrs: [CdrRow]
    let deliveries: [DeliveryRow]
    let anomalies: [AnomalyRow]
    let timeline: [EventRow]
    let commandCount: Int
    let sessionCount: Int
    let cdrCount: Int
    let anomalyCount: Int
    let hasAnomalies: Bool

    init(_ report: AuditReport, page: PageFrame) {
        self.page = page
        authorizationId = report.authorizationId
        jsonLink = "/ops/authorizations/\(OpsLink.escaped(report.authorizationId))"
        commands = report.commands.map { command in
            CommandRow(
                id: command.commandId,
                type: command.command,
                receivedAt: command.receivedAt.ocpiDateTime,
                answer: command.answer.map { $0.result ?? "OCPI \($0.statusCode)" } ?? "—",
                charger: command.chargerResult ?? (command.timedOutAt != nil ? "no answer (TIMEOUT)" : "—"),
                status: command.status
            )
        }
        sessions = report.sessions.map { session in
            SessionRow(
                id: session.id,
                status: session.status.rawValue,
                evse: session.evseUid,
                start: session.startDatetime.ocpiDateTime,
                end: session.endDatetime?.ocpiDateTime ?? "—",
                kwh: Self.number(session.kwh),
                authorizations: session.authorizations.map { "\($0.authorizationId) (\($0.at.ocpiDateTime))" }.joined(separator: ", ")
            )
        }
        cdrs = report.cdrs.map { cdr in
            CdrRow(
                id: cdr.cdrId,
                session: cdr.sessionId,
                authorizationId: cdr.authorizationId ?? "none",
                start: cdr.startDateTime.ocpiDateTime,
                stop: cdr.stopDateTime.ocpiDateTime,
                kwh: Self.number(cdr.totalEnergy),
                cost: "\(OCPIObjects.money(cdr.totalCost).canonicalText) \(cdr.currency)",
                pricing: cdr.pricing.map { PriceExplanation.lines($0, totalCost: cdr.totalCost, currency: cdr.currency).joined(separator: "\n") }
                    ?? "not priced: the session started with no tariff"
            )
        }
        deliveries = report.deliveries.map {
            DeliveryRow(
                id: $0.scheduled.deliveryId,
                kind: $0.scheduled.kind.rawValue,
                status: $0.status.rawValue,
                attempts: $0.attempts,
                lastError: $0.lastError ?? ""
            )
        }
        anomalies = report.anomalies.map { AnomalyRow(kind: $0.kind.rawValue, subject: $0.subject, detail: $0.detail) }
        timeline = report.timeline.map {
            EventRow(position: $0.position, recordedAt: $0.recordedAt.iso8601, source: $0.source, type: $0.type, summary: $0.summary)
        }
        commandCount = commands.count
        sessionCount = sessions.count
        cdrCount = cdrs.count
        anomalyCount = anomalies.count
        hasAnomalies = !anomalies.isEmpty
    }

    static func number(_ value: Double) -> String { String(format: "%.3f", value) }
}

struct SearchPage {
    struct Result { var label, link, detail: String }

    let page: PageFrame
    let query: String
    let results: [Result]
    let hasResults: Bool

    init(page: PageFrame, query: String, results: [Result]) {
        self.page = page
        self.query = query
        self.results = results
        hasResults = !results.isEmpty
    }
}
