import ArgumentParser
import Foundation
import Ledger
import Projections

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild every projection from position 0 and compare with the live tables, row by row.",
        discussion: """
            The rebuild goes to a scratch file; the live tables are never changed. Prints `ok`, or \
            each differing row, and exits 1. An event this binary cannot read (malformed data, \
            unknown type) is named by position and the replay stops.
            """
    )

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures {
            let store = try await database.openProjectionStore(folding: false)
            let scratch = FileManager.default.temporaryDirectory.appending(path: "ledger-replay-\(UUID().uuidString).sqlite").path()
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let outcome: ReplayCheck.Outcome
            do {
                outcome = try await ReplayCheck.run(store: store, scratchPath: scratch)
            } catch {
                await store.close()
                throw Failure.unusableDatabase("\(error)")
            }
            await store.close()
            switch outcome {
            case .identical(let events):
                print("ok \(events) events replayed, projections identical")
            case .different(let events, let differences):
                print("DIFFERENT after replaying \(events) events:")
                for difference in differences { print(difference) }
                throw ExitCode(1)
            case .unreadable(let error):
                print("STOPPED at \(error); the live tables were not changed")
                throw ExitCode(1)
            }
        }
    }
}
