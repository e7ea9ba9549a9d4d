import HTTPTypes
import Hummingbird
import Ledger
import NIOCore
import Domain
import Projections

/// `GET /ocpi/cpo/2.1.1/sessions` and `/cdrs`: the IOP pulls from the projections, paginated as
/// OCPI 2.1.1 §1.7 says (the IOP ignores an unpaginated answer): `date_from` (inclusive) and
/// `date_to` (exclusive) on `last_updated`, `offset`, `limit`, and the `Link`, `X-Total-Count` and
/// `X-Limit` headers. Oldest first, in creation order, so a crawl sees a stable sequence.
struct PullRoutes {
    let store: any ProjectionStore
    let objects: OCPIObjects
    let clock: any LedgerClock
    static let defaultLimit = 20
    static let maximumLimit = 100

    func register(on group: RouterGroup<LedgerRequestContext>) {
        group.get("cpo/2.1.1/sessions") { request, _ -> Response in
            try await page(request, table: "sessions", order: SessionsProjection.idOrder, dateFromRequired: true) { body in
                objects.session(try EventCoding.decode(SessionsProjection.State.self, from: body))
            }
        }
        group.get("cpo/2.1.1/cdrs") { request, _ -> Response in
            try await page(request, table: "cdrs", order: "issued_position", dateFromRequired: false) { body in
                let state = try EventCoding.decode(CdrsProjection.State.self, from: body)
                return objects.cdr(state.cdr, at: state.lastUpdated)
            }
        }
    }

    private func page(
        _ request: Request, table: String, order: String, dateFromRequired: Bool,
        _ object: @escaping @Sendable (String) throws -> JSONValue
    ) async throws -> Response {
        let query = request.uri.queryParameters
        let dateFromText = query.get("date_from"), dateToText = query.get("date_to")
        let dateFrom = dateFromText.flatMap(Timestamp.init(iso8601:)), dateTo = dateToText.flatMap(Timestamp.init(iso8601:))
        guard (dateFromText == nil) == (dateFrom == nil), (dateToText == nil) == (dateTo == nil) else {
            return OCPIResponse.http(.invalid("date_from and date_to must be UTC DateTimes, e.g. 2024-03-12T09:57:12Z"), at: clock.now())
        }
        if dateFromRequired, dateFrom == nil { return OCPIResponse.http(.invalid("date_from is required"), at: clock.now()) }
        guard let offset = Int(query.get("offset") ?? "0"), offset >= 0,
              let requested = Int(query.get("limit") ?? String(Self.defaultLimit)), requested > 0 else {
            return OCPIResponse.http(.invalid("offset and limit must be non-negative integers (limit at least 1)"), at: clock.now())
        }
        let limit = min(requested, Self.maximumLimit)
        var conditions: [String] = []
        var arguments: [SQLValue] = []
        if let dateFrom { conditions.append("last_updated >= ?"); arguments.append(.text(dateFrom.iso8601)) }
        if let dateTo { conditions.append("last_updated < ?"); arguments.append(.text(dateTo.iso8601)) }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let filterArguments = arguments
        let (total, bodies) = try await store.withProjectionSnapshot { database in
            let total = try database.rows("SELECT count(*) FROM \(table) \(filter)", filterArguments).first?.first?.integer ?? 0
            let bodies = try database.rows("SELECT body FROM \(table) \(filter) ORDER BY \(order) LIMIT ? OFFSET ?",
                                           filterArguments + [.integer(Int64(limit)), .integer(Int64(offset))]).compactMap { $0.first?.text }
            return (total, bodies)
        }
        var response = OCPIResponse.http(.success(.array(try bodies.map(object))), at: clock.now())
        response.headers[.xTotalCount] = String(total)
        response.headers[.xLimit] = String(limit)
        if offset + bodies.count < total {
            var next = ["offset=\(offset + bodies.count)", "limit=\(limit)"]
            if let dateFrom { next.append("date_from=\(dateFrom.ocpiDateTime)") }
            if let dateTo { next.append("date_to=\(dateTo.ocpiDateTime)") }
            let base = request.head.authority.map { "http://\($0)" } ?? ""
            response.headers[.link] = "<\(base)\(request.uri.path)?\(next.joined(separator: "&"))>; rel=\"next\""
        }
        return response
    }
}

extension HTTPField.Name {
    static let xTotalCount = Self("X-Total-Count")!
    static let xLimit = Self("X-Limit")!
    static let link = Self("Link")!
}
