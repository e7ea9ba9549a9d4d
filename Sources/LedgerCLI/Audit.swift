import ArgumentParser
import Foundation
import Ledger
import Projections

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The dispute timeline for one authorization_id.",
        discussion: """
            Every related event in order with its time and source; the commands, sessions and CDRs \
            (ids, kWh, times); and the anomalies (a session with several CDRs, a CDR whose \
            authorization_id differs from its session's, …). Text for a person, --json for tools. \
            An unknown id says so and exits 1. With --session or --token, every authorization_id \
            received for that session (or for the sessions started with that token) is audited; with \
            --request-id, the authorization an OCPI 2.2.1 request (received or sent) was about. The \
            authorization is found whichever OCPI version named it (authorization_id, authorization_reference).
            """
    )

    @Argument(help: ArgumentHelp("The authorization_id, exactly as the IOP sent it.", valueName: "authorization_id"))
    var authorizationId: String?

    @Option(help: "Audit every authorization_id received for this session instead.")
    var session: String?

    @Option(help: "Audit the authorization_ids of the sessions started with this token uid (OCPP idTag) instead.")
    var token: String?

    @Option(
        help:
            "Audit what an OCPI 2.2.1 request was about instead: a command the IOP sent (its X-Request-ID) or a push the ledger sent (an attempt's)."
    )
    var requestId: String?

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Print the report as JSON (with --session or --token: an array of reports).")
    var json = false

    func validate() throws {
        guard [authorizationId != nil, session != nil, token != nil, requestId != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give one of: an authorization_id, --session <id>, --token <uid>, --request-id <X-Request-ID>")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let store = try await database.openProjectionStore(folding: true)
            let outcome: Result<[AuditReport], Failure>
            do {
                outcome = try await reports(store)
            } catch {
                await store.close()
                throw Failure.unusableDatabase("\(error)")
            }
            await store.close()
            let reports = try outcome.get()
            if json {
                print(authorizationId != nil ? try AuditJSON.encode(reports[0]) : try AuditJSON.encode(reports))
            } else {
                print(reports.map(\.text).joined(separator: "\n\n"))
            }
        }
    }

    private func reports(_ store: some ProjectionStore) async throws -> Result<[AuditReport], Failure> {
        let ids: [String]
        if let authorizationId {
            ids = [authorizationId]
        } else if let session {
            guard let found = try await Projections.Audit.authorizationIds(session: session, store: store) else {
                return .failure(.refused("no session \(session) in \(database.displayName)"))
            }
            guard !found.isEmpty else { return .failure(.refused("session \(session) carries no authorization_id: nothing to audit")) }
            ids = found
        } else if let requestId {
            guard let found = try await Projections.Audit.authorizationIds(requestId: requestId, store: store) else {
                return .failure(.refused("no OCPI request with X-Request-ID \(requestId) in \(database.displayName)"))
            }
            guard !found.isEmpty else { return .failure(.refused("request \(requestId) concerns no authorization reference: nothing to audit")) }
            ids = found
        } else {
            ids = try await Projections.Audit.authorizationIds(token: token ?? "", store: store)
            guard !ids.isEmpty else { return .failure(.refused("no session started with token \(token ?? "") carries an authorization_id")) }
        }
        var reports: [AuditReport] = []
        for id in ids {
            guard let report = try await Projections.Audit.report(authorizationId: id, store: store) else {
                return .failure(.refused("no event in \(database.displayName) carries authorization_id \(id)"))
            }
            reports.append(report)
        }
        return .success(reports)
    }
}
