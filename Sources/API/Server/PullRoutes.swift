import Domain
import HTTPTypes
import Hummingbird
import Ledger
import NIOCore
import Projections

/// `GET /ocpi/cpo/2.1.1/sessions`, `/cdrs`, `/tariffs` and `/locations`, and the same under
/// `/ocpi/2.2.1/` in the 2.2.1 shapes: the IOP pulls from the projections, paginated as OCPI
/// §1.7 says (the IOP ignores an unpaginated answer): `date_from` (inclusive) and `date_to`
/// (exclusive) on `last_updated`, `offset`, `limit`, and the `Link`, `X-Total-Count` and `X-Limit`
/// headers. Oldest first, in creation order, so a crawl sees a stable sequence.
struct PullRoutes {
    let store: any ProjectionStore
    let objects: OCPIObjects
    let objects221: OCPI221Objects
    let clock: any LedgerClock
    static let defaultLimit = 20
    static let maximumLimit = 100

    func register(on group: RouterGroup<LedgerRequestContext>) {
        for version in OCPIVersion.allCases { register(version, on: group) }
    }

    /// The module tree of `version`: `cpo/2.1.1/…` (as 2.1.1 was first served), `2.2.1/…`.
    static func prefix(_ version: OCPIVersion) -> String { version == .v211 ? "cpo/2.1.1" : "2.2.1" }

    private func register(_ version: OCPIVersion, on group: RouterGroup<LedgerRequestContext>) {
        let prefix = Self.prefix(version)
        group.get("\(prefix)/sessions") { request, _ -> Response in
            try await page(
                request,
                dateFromRequired: true,
                select: { from, to, offset, limit in
                    try await store.read(SessionsProjection.page(.init(updatedFrom: from, updatedBefore: to), offset: offset, limit: limit))
                },
                object: { version == .v211 ? objects.session($0) : objects221.object(objects221.session($0), at: $0.lastUpdated) }
            )
        }
        group.get("\(prefix)/cdrs") { request, _ -> Response in
            try await page(
                request,
                dateFromRequired: false,
                select: { from, to, offset, limit in
                    try await store.read(CdrsProjection.page(updatedFrom: from, updatedBefore: to, offset: offset, limit: limit))
                },
                object: { state in
                    guard version == .v221 else { return objects.cdr(state.cdr, at: state.lastUpdated) }
                    // The session tells how it was started and the charger's id tag.
                    let session = try await store.state(SessionsProjection.self, state.cdr.sessionId)
                    return objects221.cdr(
                        state.cdr,
                        byCommand: !(session?.commandIds.isEmpty ?? true),
                        idTag: session?.idTag ?? state.cdr.authId,
                        at: state.lastUpdated
                    )
                }
            )
        }
        // Gireve pulls the CPO's tariffs (spec digest §1.2), the current version of each, as published.
        group.get("\(prefix)/tariffs") { request, _ -> Response in
            try await page(
                request,
                dateFromRequired: false,
                select: { from, to, offset, limit in
                    try await store.read(TariffsProjection.page(updatedFrom: from, updatedBefore: to, offset: offset, limit: limit))
                },
                object: { state in
                    let tariff = state.current?.tariff ?? .null
                    return version == .v211 ? tariff : objects221.tariff(tariff)
                }
            )
        }
        registerLocations(version, prefix: prefix, on: group)
    }

    /// The Locations: the file's, with the EVSE statuses as published (`LocationObjects`). Built
    /// whole for each pull: a CPO's network is a few thousand EVSEs, and the IOP pulls daily.
    private func registerLocations(_ version: OCPIVersion, prefix: String, on group: RouterGroup<LedgerRequestContext>) {
        let shaped: @Sendable (JSONValue) -> JSONValue = { version == .v211 ? $0 : objects221.location($0) }
        group.get("\(prefix)/locations") { request, _ -> Response in
            try await page(
                request,
                dateFromRequired: false,
                select: { from, to, offset, limit in
                    let all = try await locationObjects().list(updatedFrom: from, updatedBefore: to)
                    return ProjectionPage(items: Array(all.dropFirst(offset).prefix(limit)), total: Int64(all.count))
                },
                object: { shaped($0) }
            )
        }
        group.get("\(prefix)/locations/:location") { _, context -> Response in
            let id = try context.parameters.require("location")
            return try await found(locationObjects().location(id).map { shaped($0.object) }, "no location \(id)")
        }
        group.get("\(prefix)/locations/:location/:evse") { _, context -> Response in
            let (id, uid) = (try context.parameters.require("location"), try context.parameters.require("evse"))
            let evse = try await locationObjects().evse(location: id, uid: uid)
            return try found(version == .v211 ? evse : evse.map(OCPI221Objects.evse), "no EVSE \(uid) at location \(id)")
        }
        group.get("\(prefix)/locations/:location/:evse/:connector") { _, context -> Response in
            let (id, uid, connector) = (
                try context.parameters.require("location"), try context.parameters.require("evse"), try context.parameters.require("connector")
            )
            let connectors = try await locationObjects().evse(location: id, uid: uid)?["connectors"]
            guard case .array(let all)? = connectors, let match = all.first(where: { $0["id"]?.stringValue == connector }) else {
                return try found(nil, "no connector \(connector) of EVSE \(uid) at location \(id)")
            }
            return try found(version == .v211 ? match : OCPI221Objects.connector(match), "")
        }
    }

    private func locationObjects() async throws -> LocationObjects {
        LocationObjects(locations: objects.locations, statuses: try await store.read(EvseStatusesProjection.all))
    }

    /// The object, or HTTP 404 (OCPI 2.1.1 `status_codes`: an unknown object).
    private func found(_ object: JSONValue?, _ missing: String) throws -> Response {
        guard let object else { throw OCPIError(answer: .notFound(missing), at: clock.now()) }
        return OCPIResponse.http(.success(object), at: clock.now())
    }

    /// One page of `query`, filtered on `last_updated` by `date_from` and `date_to`.
    private func page<State: Sendable>(
        _ request: Request,
        dateFromRequired: Bool,
        select: (_ from: Timestamp?, _ to: Timestamp?, _ offset: Int, _ limit: Int) async throws -> ProjectionPage<State>,
        object: (State) async throws -> JSONValue
    ) async throws -> Response {
        let query = request.uri.queryParameters
        let dateFromText = query.get("date_from")
        let dateToText = query.get("date_to")
        let dateFrom = dateFromText.flatMap(Timestamp.init(iso8601:))
        let dateTo = dateToText.flatMap(Timestamp.init(iso8601:))
        guard (dateFromText == nil) == (dateFrom == nil), (dateToText == nil) == (dateTo == nil) else {
            throw OCPIError(answer: .invalid("date_from and date_to must be UTC DateTimes, e.g. 2024-03-12T09:57:12Z"), at: clock.now())
        }
        if dateFromRequired, dateFrom == nil { throw OCPIError(answer: .invalid("date_from is required"), at: clock.now()) }
        guard let offset = Int(query.get("offset") ?? "0"), offset >= 0,
            let requested = Int(query.get("limit") ?? String(Self.defaultLimit)), requested > 0
        else {
            throw OCPIError(answer: .invalid("offset and limit must be non-negative integers (limit at least 1)"), at: clock.now())
        }
        let limit = min(requested, Self.maximumLimit)
        let page = try await select(dateFrom, dateTo, offset, limit)
        var items: [JSONValue] = []
        for item in page.items { items.append(try await object(item)) }
        var response = OCPIResponse.http(.success(.array(items)), at: clock.now())
        response.headers[.xTotalCount] = String(page.total)
        response.headers[.xLimit] = String(limit)
        if offset + page.items.count < page.total {
            var next = ["offset=\(offset + page.items.count)", "limit=\(limit)"]
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
