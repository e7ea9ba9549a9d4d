import ArgumentParser
import Foundation
import Ledger
import PostgresStore

struct MigrateTo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-to",
        abstract: "Copy a SQLite ledger's log into a PostgreSQL database, checking both chains.",
        discussion: """
            The source must verify clean. Every event keeps its position, stream version, id, \
            payloads and time, so the copy's hash chain is the source's: after the copy the target \
            is verified and its last hash compared with the source's. The target must be empty, or \
            hold the beginning of this same log (an interrupted copy: it resumes where it stopped). \
            The projections are built in the copy's own transactions, as the events go in (an event \
            they cannot read stops the copy, naming it; --log-only copies such a log without them).
            """
    )

    @Option(help: ArgumentHelp("The SQLite ledger to copy.", valueName: "sqlite-file"))
    var from: String

    @Option(help: ArgumentHelp("The PostgreSQL database to copy into.", valueName: "postgres://user:password@host:5432/database"))
    var to: String

    @Option(help: "Events per transaction.")
    var batch = 2_000

    @Flag(
        help: ArgumentHelp(
            "Copy the log without building projections: for logs with events this binary's catalogue does not know."
        )
    )
    var logOnly = false

    func validate() throws {
        guard PostgresLocation.isURL(to) else { throw ValidationError("--to must be a postgres:// URL") }
        guard !PostgresLocation.isURL(from) else { throw ValidationError("--from must be a SQLite file") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() async throws {
        try await reportingFailures {
            let source = try DatabaseOptions.openSQLite(from, withProjections: false)
            let target: PostgresEventStore
            do { target = try await DatabaseOptions.openPostgres(to, withProjections: !logOnly) } catch {
                await source.close()
                throw error
            }
            let outcome: Result<String, Failure>
            do { outcome = .success(try await copy(from: source, to: target)) } catch let failure as Failure {
                outcome = .failure(failure)
            } catch {
                outcome = .failure(.unusableDatabase("\(error)"))
            }
            await source.close()
            await target.close()
            print(try outcome.get())
        }
    }

    private func copy(from source: SQLiteEventStore, to target: PostgresEventStore) async throws -> String {
        let before = try await source.verify()
        guard before.isClean else {
            throw Failure.refused("\(from) does not verify, so it is not copied: \(before.problems.joined(separator: "; "))")
        }
        var cursor = try await target.headPosition()
        if cursor > 0 {
            let theirs = try await target.readAll(after: cursor - 1, limit: 1).first?.hash
            let ours = try await source.readAll(after: cursor - 1, limit: 1).first?.hash
            guard let ours, theirs == ours else {
                throw Failure.refused(
                    "\(target.location) already holds \(cursor) events that are not the start of \(from): copy into an empty database"
                )
            }
        }
        let resumedAt = cursor
        while true {
            let page = try await source.readAll(after: cursor, limit: batch)
            guard let last = page.last else { break }
            _ = try await target.appendAll(page.map(AppendRequest.copying))
            cursor = last.position
        }
        let after = try await target.verify()
        guard after.isClean else { throw Failure.refused("the copy does not verify: \(after.problems.joined(separator: "; "))") }
        let lastHash = try await source.readAll(after: before.eventCount - 1, limit: 1).first?.hashHex ?? "-"
        let copiedHash = try await target.readAll(after: before.eventCount - 1, limit: 1).first?.hashHex ?? "-"
        guard after.eventCount == before.eventCount, lastHash == copiedHash else {
            throw Failure.refused(
                "the copy holds \(after.eventCount) events ending in \(copiedHash); \(from) holds \(before.eventCount) ending in \(lastHash)"
            )
        }
        return "copied \(before.eventCount - resumedAt) events to \(target.location) (\(resumedAt) were already there); "
            + "both verify, both chains end in \(lastHash)"
    }
}
