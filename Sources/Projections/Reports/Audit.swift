import Domain
import Foundation
import Ledger

/// The dispute timeline for one `authorization_id`: what it authorized, what came of it, what
/// looks wrong — and every related event, in log order, with its time and source.
public struct AuditReport: Codable, Sendable {
    public struct TimelineEntry: Codable, Sendable, Equatable {
        public var position: Int64
        public var recordedAt: Timestamp
        public var source: String
        public var type: String
        public var summary: String
    }

    public var authorizationId: String
    public var sources: [AuthorizationLinksProjection.State.Source]
    public var commands: [CommandsProjection.State]
    public var sessions: [SessionsProjection.State]
    public var cdrs: [CdrIssued]
    public var deliveries: [DeliveriesProjection.State]
    public var anomalies: [Anomaly]
    public var timeline: [TimelineEntry]
}

public enum Audit {
    /// The report, or `nil` when no event carries this `authorization_id`.
    public static func report(authorizationId: String, store: some ProjectionStore) async throws -> AuditReport? {
        try await store.withProjectionSnapshot { database in try build(authorizationId, database) }
    }

    /// The `authorization_id`s to audit for a session: every one received for it, in order.
    /// `nil` when the session is unknown.
    public static func authorizationIds(session sessionId: String, store: some ProjectionStore) async throws -> [String]? {
        try await store.withProjectionSnapshot { database in
            guard let session = try database.state(SessionsProjection.self, sessionId) else { return nil }
            return distinct(session.authorizations.map(\.authorizationId))
        }
    }

    /// The `authorization_id`s of the sessions started with a token (its OCPP idTag), oldest first.
    public static func authorizationIds(token uid: String, store: some ProjectionStore) async throws -> [String] {
        try await store.withProjectionSnapshot { database in
            let bodies = try database.rows("SELECT body FROM sessions WHERE id_tag = ? ORDER BY start_datetime, key", [.text(uid)])
            let sessions = try bodies.compactMap { try $0.first?.text.map { try EventCoding.decode(SessionsProjection.State.self, from: $0) } }
            return distinct(sessions.flatMap { $0.authorizations.map(\.authorizationId) })
        }
    }

    /// The authorization ids behind an OCPI 2.2.1 request id: the command it carried, or the
    /// delivery attempt it named (that delivery's command, or its session's authorizations).
    /// `nil` when no request had that id.
    public static func authorizationIds(requestId: String, store: some ProjectionStore) async throws -> [String]? {
        try await store.withProjectionSnapshot { database in try authorizationIds(requestId: requestId, database) }
    }

    /// The same, read through an open database.
    public static func authorizationIds(requestId: String, _ database: any ProjectionReading) throws -> [String]? {
        guard let request = try database.state(OCPIRequestsProjection.self, requestId) else { return nil }
        var commandId = request.commandId
        var sessionId: String?
        if let deliveryId = request.deliveryId, let delivery = try database.state(DeliveriesProjection.self, deliveryId) {
            commandId = delivery.scheduled.commandId
            sessionId = delivery.scheduled.sessionId
        }
        if let commandId, let command = try database.state(CommandsProjection.self, commandId) {
            return command.authorizationId.map { [$0] } ?? []
        }
        guard let sessionId, let session = try database.state(SessionsProjection.self, sessionId) else { return [] }
        return distinct(session.authorizations.map(\.authorizationId))
    }

    private static func distinct(_ ids: [String]) -> [String] {
        ids.reduce(into: []) { $0.appendIfMissing($1) }
    }

    /// The report read through an open database (one snapshot is the caller's to arrange).
    public static func build(_ authorizationId: String, _ database: any ProjectionReading) throws -> AuditReport? {
        guard let links: AuthorizationLinksProjection.State = try database.state(AuthorizationLinksProjection.self, authorizationId) else {
            return nil
        }
        let linkedCommands = try links.commandIds.compactMap { try database.state(CommandsProjection.self, $0) }
        var sessionIds = links.sessionIds
        for command in linkedCommands { for id in command.sessionIds { sessionIds.appendIfMissing(id) } }
        let sessions = try sessionIds.compactMap { try database.state(SessionsProjection.self, $0) }
        // Commands that bound a linked session belong to the dispute too (a second START_SESSION).
        var commandIds = links.commandIds
        for session in sessions { for id in session.commandIds { commandIds.appendIfMissing(id) } }
        let commands = try commandIds.compactMap { try database.state(CommandsProjection.self, $0) }
        // A linked session's CDRs belong to the dispute even when they carry another (or no) id.
        var cdrIds = links.cdrIds
        for session in sessions { for cdr in session.cdrs { cdrIds.appendIfMissing(cdr.cdrId) } }
        let cdrs = try cdrIds.compactMap { try database.state(CdrsProjection.self, $0) }

        var deliveries: [DeliveriesProjection.State] = []
        for (column, ids) in [("command_id", commands.map(\.commandId)), ("session_id", sessions.map(\.id))] where !ids.isEmpty {
            let list = Database.inList(ids.map(SQLValue.text))
            for row in try database.rows("SELECT body FROM deliveries WHERE \(column) IN \(list.placeholders) ORDER BY sequence", list.arguments) {
                if let body = row.first?.text { deliveries.append(try EventCoding.decode(DeliveriesProjection.State.self, from: body)) }
            }
        }

        let subjects =
            ["authorizations:\(authorizationId)"] + commands.map { "commands:\($0.commandId)" }
            + sessions.map { "sessions:\($0.id)" } + cdrs.map { "cdrs:\($0.cdr.cdrId)" }
        let anomalies = try database.fetch(Anomaly.about(subjects))

        var positions = Set(links.positions)
        for command in commands { positions.formUnion(command.positions) }
        for session in sessions { positions.formUnion(session.positions) }
        for cdr in cdrs { positions.formUnion(cdr.positions) }
        for delivery in deliveries { positions.formUnion(delivery.positions) }
        let timeline = try positions.sorted().compactMap { try timelineEntry(at: $0, database) }

        return AuditReport(
            authorizationId: authorizationId,
            sources: links.sources,
            commands: commands,
            sessions: sessions,
            cdrs: cdrs.map(\.cdr),
            deliveries: deliveries,
            anomalies: anomalies,
            timeline: timeline
        )
    }

    private static func timelineEntry(at position: Int64, _ database: any ProjectionReading) throws -> AuditReport.TimelineEntry? {
        guard
            let row = try database.rows(
                "SELECT type, schema_version, data, metadata, recorded_at FROM events WHERE position = ?",
                [.integer(position)]
            ).first, let type = row[0].text, let data = row[2].text, let recordedAt = row[4].text.flatMap(Timestamp.init(iso8601:))
        else { return nil }
        let source = (try? EventCoding.decode(EventMetadata.self, from: row[3].text ?? "{}"))?.source ?? "?"
        let summary: String
        do {
            let event = try EventCatalogue.standard.decode(type: type, schemaVersion: Int(row[1].integer ?? 1), data: data, position: position)
            summary = EventSummary.describe(event)
        } catch {
            summary = "unreadable: \(error.reason)"
        }
        return .init(position: position, recordedAt: recordedAt, source: source, type: type, summary: summary)
    }
}

/// An audit report (or several) as JSON for tools: snake_case, sorted keys, indented.
public enum AuditJSON {
    public static func encode(_ report: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }
}
