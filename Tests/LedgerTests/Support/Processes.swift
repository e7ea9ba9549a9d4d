import Foundation
import LedgerTesting

/// The executables built beside this test bundle (`swift test` builds the package's products).
enum BuiltProduct {
    static let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

    static func url(_ name: String) -> URL { directory.appending(path: name) }
}

extension ChildProcess {
    /// `ledger ARGS…`, run to its end without holding a thread.
    static func ledger(_ arguments: String...) async throws -> Output {
        try await run("ledger", arguments, executable: BuiltProduct.url("ledger"))
    }
}
