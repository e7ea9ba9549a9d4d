import ArgumentParser
import Ledger

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the hash chain, position and stream-version contiguity, and the append-only triggers.",
        discussion: "Prints `ok <count> events`, or each problem with the first bad position, and exits 1."
    )

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await reportingFailures {
            let store = try await database.openProjectionStore(folding: false)
            let report: VerificationReport
            do {
                report = try await store.verify()
            } catch {
                await store.close()
                throw Failure.unusableDatabase("\(error)")
            }
            await store.close()
            guard report.isClean else {
                print("FAILED \(database.displayName) (\(report.eventCount) events read)")
                for problem in report.problems { print(problem) }
                throw ExitCode(1)
            }
            print("ok \(report.eventCount) events")
        }
    }
}
