import Foundation
import LedgerTesting

/// Runs the built `ledger` executable and captures its output.
enum CLI {
    static let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    static func ledger(_ arguments: String...) async throws -> ChildProcess.Output {
        try await ledger(arguments)
    }

    static func ledger(_ arguments: [String]) async throws -> ChildProcess.Output {
        try await ChildProcess.run("ledger", arguments, executable: directory.appending(path: "ledger"))
    }
}
