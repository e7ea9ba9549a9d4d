import Domain
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
                throw OpsError(.notFound, "no event carries authorization_id \(id)")
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
            let found = try await store.withProjectionSnapshot { database -> (P.State, [Anomaly])? in
                guard let state = try database.state(P.self, id) else { return nil }
                return (state, try database.fetch(Anomaly.about("\(P.name):\(id)")))
            }
            guard let (state, anomalies) = found else { throw OpsError(.notFound, "no \(table.dropLast()) \(id)") }
            let document = JSONValue.object([
                "state": try JSONValue(parsing: try EventCoding.rowText(state)), "anomalies": .array(anomalies.map(Self.json)),
            ])
            return Self.json(document.canonicalText)
        }
    }

    /// `GET /ops/sessions?token_uid=&evse_uid=&charge_point_id=&from=&to=&offset=&limit=`: sessions
    /// by id order (new sessions come last, so a page does not shift while they are added).
    private func searchSessions(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let (offset, limit) = Self.paging(request) else {
            throw OpsError(.badRequest, "offset and limit must be whole numbers (limit 1…\(Self.maximumLimit))")
        }
        var filter = SessionsProjection.Filter(
            tokenUid: query.get("token_uid"),
            evseUid: query.get("evse_uid"),
            chargePointId: query.get("charge_point_id")
        )
        for (parameter, bound) in [("from", \SessionsProjection.Filter.startedFrom), ("to", \.startedBefore)] {
            guard let text = query.get(parameter) else { continue }
            guard let time = Timestamp(iso8601: text) else {
                throw OpsError(.badRequest, "\(parameter) must be a UTC time such as 2026-03-12T09:57:12Z")
            }
            filter[keyPath: bound] = time
        }
        let page = try await store.read(SessionsProjection.page(filter, offset: offset, limit: limit))
        let document = JSONValue.object([
            "sessions": .array(try page.items.map { try JSONValue(parsing: try EventCoding.rowText($0)) }),
            "total": .number(String(page.total)), "offset": .number(String(offset)), "limit": .number(String(limit)),
        ])
        return Self.json(document.canonicalText)
    }

    /// `GET /ops/anomalies?kind=&authorization_id=&since=&offset=&limit=`: `since` is a position, or
    /// a UTC time (the flags raised or restated by events recorded from then on).
    private func anomalies(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let (offset, limit) = Self.paging(request) else {
            throw OpsError(.badRequest, "offset and limit must be whole numbers (limit 1…\(Self.maximumLimit))")
        }
        var filter = Anomaly.Filter(authorizationId: query.get("authorization_id"))
        if let kind = query.get("kind") {
            guard let known = Anomaly.Kind(rawValue: kind) else {
                throw OpsError(.badRequest, "unknown kind \(kind); one of \(Anomaly.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.kind = known
        }
        if let since = query.get("since") {
            let time = Timestamp(iso8601: since)
            guard Int64(since).map({ $0 >= 0 }) == true || time != nil else {
                throw OpsError(.badRequest, "since must be a position (0 or more) or a UTC time such as 2026-03-12T09:57:12Z")
            }
            if let position = Int64(since) {
                filter.afterPosition = position
            } else if let time {
                filter.fromPosition = try await store.read(LogQueries.firstPosition(recordedFrom: time))
            }
        }
        let page = try await store.read(Anomaly.page(filter, offset: offset, limit: limit))
        return Self.json(JSONValue.object(["anomalies": .array(page.items.map(Self.json)), "total": .number(String(page.total))]).canonicalText)
    }

    static func json(_ anomaly: Anomaly) -> JSONValue {
        .object([
            "subject": .string(anomaly.subject), "kind": .string(anomaly.kind.rawValue), "detail": .string(anomaly.detail),
            "authorization_id": anomaly.authorizationId.map(JSONValue.string) ?? .null,
            "position": anomaly.position.map { .number(String($0)) } ?? .null,
        ])
    }

    /// `GET /ops/events?after=N&limit=M`: the log as NDJSON, as `ledger events` prints it.
    private func events(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let after = Int64(query.get("after") ?? "0"), after >= 0, let (_, limit) = Self.paging(request) else {
            throw OpsError(.badRequest, "after must be a position (0 or more) and limit 1…\(Self.maximumLimit)")
        }
        let events = try await store.readAll(after: after, limit: limit)
        return .text(events.map { EventLine.encode($0) + "\n" }.joined(), contentType: "application/x-ndjson")
    }

    private static func paging(_ request: Request) -> (offset: Int, limit: Int)? {
        let query = request.uri.queryParameters
        guard let offset = Int(query.get("offset") ?? "0"), offset >= 0,
            let limit = Int(query.get("limit") ?? String(defaultLimit)), (1...maximumLimit).contains(limit)
        else { return nil }
        return (offset, limit)
    }

    static func json(_ text: String) -> Response {
        .text(text, contentType: "application/json")
    }
}
