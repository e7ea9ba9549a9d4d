import LedgerTesting
import Testing

extension Prerequisite {
    /// A prerequisite missing in CI: the test that needs it fails, saying what to install.
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// Goes on if the prerequisite is there; otherwise skips the running test with the one line
    /// that says what is missing (`Test.cancel`: reported as cancelled, with that line) — or, in
    /// CI, fails it. Called where the thing is used, so no test can forget to ask.
    public func require() async throws {
        guard let missing = await missing else { return }
        if Self.isRequired { throw Missing(description: missing) }
        if Test.Case.current?.isParameterized == true {
            // A cancelled case of a parameterized test is reported nowhere at the default
            // verbosity (its test then reads "passed"): say it, in the form scripts/test counts.
            print("➜ Test \(Test.current?.displayName ?? Test.current?.name ?? "?") (a case of it) skipped: \(missing)")
        }
        try Test.cancel(Comment(rawValue: missing))
    }
}

extension Trait where Self == ConditionTrait {
    /// A suite or test that runs on PostgreSQL only: skipped, with the line saying why, when no
    /// server is configured (never in CI). Store-parameterized tests run their SQLite half anyway.
    public static var needsPostgres: Self {
        .enabled(if: Prerequisite.postgresMissing == nil, Comment(rawValue: Prerequisite.postgresMissing ?? ""))
    }
}
