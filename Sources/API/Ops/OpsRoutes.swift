import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Logging
import NIOCore
import Projections

/// `/ops/…`: what operations staff and downstream consumers read — the dispute timeline, one
/// session, command or CDR with its anomalies, the anomaly list, session search, and the log as
/// NDJSON. Read-only: nothing here changes the ledger.
///
/// Behind the ops token (`OpsAuthentication`); without `--ops-token` every ops route answers 404
/// saying that the ops API is disabled, so a forgotten token never leaves the data open.
struct OpsRoutes {
    let store: any ProjectionStore
    /// `nil`: the ops API is disabled.
    let token: String?
    static let defaultLimit = 50
    static let maximumLimit = 1000

    func register(on router: Router<LedgerRequestContext>) {
        let ops = router.group("ops").add(middleware: OpsAuthentication(token: token, challenge: "Bearer"))
        ops.get("authorizations/:id") { _, context -> Response in
            let id = try Self.pathId(context)
            guard let report = try await Projections.Audit.report(authorizationId: id, store: store) else {
                return Self.error(.notFound, "no event carries authorization_id \(id)")
            }
            return Self.json(try AuditJSON.encode(report))
        }
        entity(ops, "sessions", SessionsProjection.self)
        entity(ops, "commands", CommandsProjection.self)
        entity(ops, "cdrs", CdrsProjection.self)
        ops.get("sessions") { request, _ -> Response in try await searchSessions(request) }
        ops.get("anomalies") { request, _ -> Response in try await anomalies(request) }
        ops.get("events") { request, _ -> Response in try await events(request) }
    }

    /// The `{id}` of a path, percent-decoded: ids are opaque and may hold spaces, `<`, `/` — sent
    /// encoded, as a client must (the router hands the segment over as it came).
    static func pathId(_ context: LedgerRequestContext) throws -> String {
        let segment = try context.parameters.require("id")
        return segment.removingPercentEncoding ?? segment
    }

    /// `GET /ops/<table>/{id}`: the entity's state (as stored) and its anomalies.
    private func entity<P: Projection>(_ ops: RouterGroup<LedgerRequestContext>, _ table: String, _ projection: P.Type) {
        ops.get("\(table)/:id") { _, context -> Response in
            let id = try Self.pathId(context)
            let found = try await store.withProjectionSnapshot { database -> (String, [JSONValue])? in
                guard let body = try database.rows("SELECT body FROM \(P.name) WHERE key = ?", [.text(id)]).first?.first?.text else { return nil }
                return (body, try Anomaly.read(where: "subject = ?", [.text("\(P.name):\(id)")], in: database).map(Self.json))
            }
            guard let (body, anomalies) = found else { return Self.error(.notFound, "no \(table.dropLast()) \(id)") }
            let document = JSONValue.object(["state": try JSONValue(parsing: body), "anomalies": .array(anomalies)])
            return Self.json(document.canonicalText)
        }
    }

    /// `GET /ops/sessions?token_uid=&evse_uid=&charge_point_id=&from=&to=&offset=&limit=`: sessions
    /// by id order (new sessions come last, so a page does not shift while they are added).
    private func searchSessions(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let (offset, limit) = Self.paging(request) else { return Self.error(.badRequest, "offset and limit must be whole numbers (limit 1…\(Self.maximumLimit))") }
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        for (parameter, column) in [("token_uid", "id_tag"), ("evse_uid", "evse_uid"), ("charge_point_id", "charge_point_id")] {
            if let value = query.get(parameter) { conditions.append("\(column) = ?"); arguments.append(.text(value)) }
        }
        for (parameter, comparison) in [("from", ">="), ("to", "<")] {
            guard let text = query.get(parameter) else { continue }
            guard let time = Timestamp(iso8601: text) else { return Self.error(.badRequest, "\(parameter) must be a UTC time such as 2026-03-12T09:57:12Z") }
            conditions.append("start_datetime \(comparison) ?")
            arguments.append(.text(time.iso8601))
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let filterArguments = arguments
        let (total, bodies) = try await store.withProjectionSnapshot { database in
            let total = try database.rows("SELECT count(*) FROM sessions \(filter)", filterArguments).first?.first?.integer ?? 0
            let bodies = try database.rows("SELECT body FROM sessions \(filter) ORDER BY \(SessionsProjection.idOrder) LIMIT ? OFFSET ?",
                                           filterArguments + [.integer(Int64(limit)), .integer(Int64(offset))]).compactMap { $0.first?.text }
            return (total, bodies)
        }
        let document = JSONValue.object([
            "sessions": .array(try bodies.map { try JSONValue(parsing: $0) }),
            "total": .number(String(total)), "offset": .number(String(offset)), "limit": .number(String(limit)),
        ])
        return Self.json(document.canonicalText)
    }

    /// `GET /ops/anomalies?kind=&authorization_id=&since=&offset=&limit=`: `since` is a position, or
    /// a UTC time (the flags raised or restated by events recorded from then on).
    private func anomalies(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let (offset, limit) = Self.paging(request) else { return Self.error(.badRequest, "offset and limit must be whole numbers (limit 1…\(Self.maximumLimit))") }
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let kind = query.get("kind") {
            guard Anomaly.Kind(rawValue: kind) != nil else {
                return Self.error(.badRequest, "unknown kind \(kind); one of \(Anomaly.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            conditions.append("kind = ?")
            arguments.append(.text(kind))
        }
        if let authorizationId = query.get("authorization_id") {
            conditions.append("authorization_id = ?")
            arguments.append(.text(authorizationId))
        }
        if let since = query.get("since") {
            let time = Timestamp(iso8601: since)
            guard Int64(since).map({ $0 >= 0 }) == true || time != nil else {
                return Self.error(.badRequest, "since must be a position (0 or more) or a UTC time such as 2026-03-12T09:57:12Z")
            }
            if let position = Int64(since) {
                conditions.append("position > ?")
                arguments.append(.integer(position))
            } else if let time {
                conditions.append("position >= ?")
                // The first event recorded at or after `time` (none yet: past the end).
                let first = try await store.withProjectionSnapshot { database in
                    try database.rows("SELECT coalesce(min(position), (SELECT coalesce(max(position), 0) + 1 FROM events)) FROM events WHERE recorded_at >= ?",
                                      [.text(time.iso8601)]).first?.first?.integer ?? 0
                }
                arguments.append(.integer(first))
            }
        }
        let filter = conditions.isEmpty ? "1 = 1" : conditions.joined(separator: " AND ")
        let filterArguments = arguments
        let (total, anomalies) = try await store.withProjectionSnapshot { database in
            (try database.rows("SELECT count(*) FROM anomalies WHERE \(filter)", filterArguments).first?.first?.integer ?? 0,
             try Anomaly.read(where: filter, filterArguments, limit: limit, offset: offset, in: database).map(Self.json))
        }
        return Self.json(JSONValue.object(["anomalies": .array(anomalies), "total": .number(String(total))]).canonicalText)
    }

    static func json(_ anomaly: Anomaly) -> JSONValue {
        .object(["subject": .string(anomaly.subject), "kind": .string(anomaly.kind.rawValue), "detail": .string(anomaly.detail),
                 "authorization_id": anomaly.authorizationId.map(JSONValue.string) ?? .null,
                 "position": anomaly.position.map { .number(String($0)) } ?? .null])
    }

    /// `GET /ops/events?after=N&limit=M`: the log as NDJSON, as `ledger events` prints it.
    private func events(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let after = Int64(query.get("after") ?? "0"), after >= 0, let (_, limit) = Self.paging(request) else {
            return Self.error(.badRequest, "after must be a position (0 or more) and limit 1…\(Self.maximumLimit)")
        }
        let events = try await store.readAll(after: after, limit: limit)
        return .text(events.map { EventLine.encode($0) + "\n" }.joined(), contentType: "application/x-ndjson")
    }

    private static func paging(_ request: Request) -> (offset: Int, limit: Int)? {
        let query = request.uri.queryParameters
        guard let offset = Int(query.get("offset") ?? "0"), offset >= 0,
              let limit = Int(query.get("limit") ?? String(defaultLimit)), (1...maximumLimit).contains(limit) else { return nil }
        return (offset, limit)
    }

    static func json(_ text: String) -> Response {
        .text(text, contentType: "application/json")
    }

    /// An error as JSON: what went wrong and what to do.
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        .text(JSONValue.object(["error": .string(message), "status": .number(String(status.code))]).canonicalText,
              contentType: "application/json", status: status)
    }
}

