import ArgumentParser
import Foundation
import Ledger

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Append a recorded NDJSON log (from `ledger events`) to a ledger, usually a new one.",
        discussion: """
            Stream versions, event ids, metadata and times are kept; hashes are chained anew, and \
            the projections are built as the events go in (an event they cannot read refuses the file). \
            A file with a gap in positions or stream versions, or an event id that conflicts with \
            one already stored, is refused as a whole and nothing is written. Importing the same \
            file again changes nothing.
            """
    )

    @Argument(help: ArgumentHelp("The NDJSON file to import.", valueName: "file.ndjson"))
    var file: String

    @OptionGroup var database: DatabaseOptions

    @Flag(
        help: ArgumentHelp(
            "Append the events without building projections: for logs with events this binary's catalogue does not know. `ledger replay` then names the first one it cannot read."
        )
    )
    var logOnly = false

    func run() async throws {
        try await reportingFailures {
            // Checked before the ledger is opened: a typo must not leave a new, empty ledger behind.
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw Failure.refused("\(file) does not exist or cannot be read; nothing was imported")
            }
            let store = try await database.openProjectionStore(folding: !logOnly, creating: true)
            let outcome: Result<LogImport.Summary, any Error>
            do {
                outcome = .success(try await LogImport.run(contentsOf: URL(fileURLWithPath: file), into: store))
            } catch {
                outcome = .failure(error)
            }
            await store.close()
            switch outcome {
            case .success(let summary):
                let new = summary.events - summary.alreadyStored
                print("imported \(new) events (\(summary.alreadyStored) already stored) into \(database.displayName)")
            case .failure(let failure):
                throw Failure.refused("\(file): \(failure); nothing was imported")
            }
        }
    }
}
