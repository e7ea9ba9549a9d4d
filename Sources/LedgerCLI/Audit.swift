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
            An unknown id says so and exits 1.
            """
    )

    @Argument(help: ArgumentHelp("The authorization_id, exactly as the IOP sent it.", valueName: "authorization_id"))
    var authorizationId: String

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let store = try database.open(withProjections: true)
            let report: AuditReport?
            do {
                report = try await Projections.Audit.report(authorizationId: authorizationId, store: store)
            } catch {
                await store.close()
                throw Failure.unusableDatabase("\(error)")
            }
            await store.close()
            guard let report else {
                throw Failure.refused("no event in \(database.db) carries authorization_id \(authorizationId)")
            }
            if json {
                print(try AuditJSON.encode(report))
            } else {
                print(report.text)
            }
        }
    }
}
