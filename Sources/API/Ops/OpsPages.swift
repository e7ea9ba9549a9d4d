import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import Mustache
import NIOCore
import Projections

/// `/ops/`: the web page for operations staff, server-rendered from the templates shipped with the
/// binary — search, one authorization's timeline, the anomaly list and the outbox with its two
/// recorded actions, the EVSEs' live status and each one's history. A browser logs in with Basic authentication: the operator's name as user,
/// the ops token as password.
struct OpsPages {
    let store: any ProjectionStore
    let token: String?
    let templates: MustacheLibrary
    static let homeAnomalies = 200

    /// Loads the templates from the API module's resources.
    static func templates() async throws -> MustacheLibrary {
        guard let directory = Bundle.module.resourceURL?.appending(path: "Templates").path() else {
            throw OpsPagesError.templatesMissing
        }
        return try await MustacheLibrary(directory: directory)
    }

    func register(on router: Router<LedgerRequestContext>) {
        let pages = router.group("ops").add(
            middleware: OpsAuthentication(token: token, challenge: #"Basic realm="chargeledger ops", charset="UTF-8""#)
        )
        pages.get("/") { request, context in try await home(request, context) }
        pages.get("timeline") { request, context -> Response in
            guard let id = request.uri.queryParameters.get("authorization_id") else { return redirect(to: "/ops/") }
            guard let report = try await Projections.Audit.report(authorizationId: id, store: store) else {
                return try render("search", SearchPage(page: frame(context, "Not found", query: id), query: id, results: []), status: .notFound)
            }
            return try render("timeline", TimelinePage(report, page: frame(context, "Authorization \(id)", query: id)))
        }
        pages.get("evse") { request, context -> Response in
            let query = request.uri.queryParameters
            guard let location = query.get("location"), let uid = query.get("uid") else { return redirect(to: "/ops/") }
            let title = "EVSE \(uid)"
            guard let history = try await EvseHistory.report(location: location, uid: uid, store: store) else {
                return try render("search", SearchPage(page: frame(context, "Not found", query: uid), query: uid, results: []), status: .notFound)
            }
            return try render("evse", EvsePage(page: frame(context, title, query: uid), location: location, uid: uid, history: history))
        }
        pages.get("search") { request, context -> Response in
            let query = (request.uri.queryParameters.get("q") ?? "").trimmingCharacters(in: .whitespaces)
            let results = try await search(query)
            // One authorization found: straight to its timeline.
            if results.count == 1, results[0].link.hasPrefix("/ops/timeline") { return redirect(to: results[0].link) }
            return try render("search", SearchPage(page: frame(context, "Search", query: query), query: query, results: results))
        }
        pages.post("deliveries/:id/retry") { _, context -> Response in
            let id = try context.parameters.require("id")
            return after(try await OpsActions(store: store).requeue(id, by: context.operatorName ?? ""))
        }
        pages.post("deliveries/:id/abandon") { request, context -> Response in
            let id = try context.parameters.require("id")
            let form = Self.form(try await request.body.collect(upTo: 16 * 1024))
            return after(try await OpsActions(store: store).abandon(id, by: context.operatorName ?? "", reason: form["reason"] ?? ""))
        }
    }

    private func home(_ request: Request, _ context: LedgerRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let (latest, outbox, evses) = try await store.withProjectionSnapshot { database in
            (
                try database.fetch(Anomaly.latest(limit: Self.homeAnomalies)), try database.fetch(DeliveriesProjection.outbox(limit: 500)),
                try database.fetch(EvseStatusesProjection.all).values.sorted { ($0.locationId, $0.evseUid) < ($1.locationId, $1.evseUid) }
            )
        }
        let page = frame(context, "Operations", message: query.get("done") ?? query.get("refused") ?? "", isError: query.get("refused") != nil)
        return try render("home", HomePage(page: page, anomalies: latest.items, anomalyTotal: latest.total, outbox: outbox, evses: evses))
    }

    /// What `q` names: an authorization, a session, a command or CDR, a token uid or an EVSE uid.
    private func search(_ query: String) async throws -> [SearchPage.Result] {
        guard !query.isEmpty else { return [] }
        return try await store.withProjectionSnapshot { database in
            var results: [SearchPage.Result] = []
            func add(_ label: String, _ link: String, _ detail: String) {
                if !results.contains(where: { $0.link == link }) { results.append(.init(label: label, link: link, detail: detail)) }
            }
            if try database.state(AuthorizationLinksProjection.self, query) != nil {
                add(query, OpsLink.timeline(query), "authorization")
            }
            for id in try Audit.authorizationIds(requestId: query, database) ?? [] {
                add(id, OpsLink.timeline(id), "authorization the OCPI 2.2.1 request \(query) was about")
            }
            var sessions: [SessionsProjection.State] = []
            if let session = try database.state(SessionsProjection.self, query) { sessions.append(session) }
            if let command = try database.state(CommandsProjection.self, query) {
                if let id = command.authorizationId { add(id, OpsLink.timeline(id), "authorization of \(command.command) \(command.commandId)") }
                sessions += try command.sessionIds.compactMap { try database.state(SessionsProjection.self, $0) }
            }
            if let cdr = try database.state(CdrsProjection.self, query) {
                if let id = cdr.cdr.authorizationId { add(id, OpsLink.timeline(id), "authorization on CDR \(cdr.cdr.cdrId)") }
                if let session = try database.state(SessionsProjection.self, cdr.cdr.sessionId) { sessions.append(session) }
            }
            sessions += try database.fetch(SessionsProjection.ofTokenOrEVSE(query, limit: 50))
            for session in sessions {
                let detail =
                    "session \(session.id) on \(session.evseUid), \(session.startDatetime.ocpiDateTime), \(session.status), token \(session.idTag)"
                if session.authorizations.isEmpty { add(session.id, OpsLink.search(session.id), "\(detail): no authorization_id") }
                for received in session.authorizations {
                    add(received.authorizationId, OpsLink.timeline(received.authorizationId), detail)
                }
            }
            return results
        }
    }

    private func frame(_ context: LedgerRequestContext, _ title: String, query: String = "", message: String = "", isError: Bool = false) -> PageFrame
    {
        PageFrame(title: title, query: query, operatorName: context.operatorName ?? "", message: message, messageIsError: isError)
    }

    private func render(_ template: String, _ page: Any, status: HTTPResponse.Status = .ok) throws -> Response {
        guard let html = templates.render(page, withTemplate: template) else { throw OpsPagesError.templatesMissing }
        var response = Response.text(html, contentType: "text/html; charset=utf-8", status: status)
        response.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
        return response
    }

    /// After an action: back to the page, saying what happened (POST-redirect-GET).
    private func after(_ outcome: OpsActions.Outcome) -> Response {
        switch outcome {
        case .done(let message): redirect(to: "/ops/?done=\(OpsLink.escaped(message))")
        case .notFound(let message), .refused(let message): redirect(to: "/ops/?refused=\(OpsLink.escaped(message))")
        }
    }

    private func redirect(to location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    /// An `application/x-www-form-urlencoded` body.
    static func form(_ body: ByteBuffer) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if let name = parts.first { fields[name] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }
}

enum OpsPagesError: Error, CustomStringConvertible {
    case templatesMissing
    var description: String { "the ops page's templates are missing from the API module's resources (Ops/Templates)" }
}
