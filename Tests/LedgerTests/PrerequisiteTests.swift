import Foundation
import LedgerTesting
import PostgresStore
import TestPrerequisites
import Testing

/// The one line that says the PostgreSQL half of every store-parameterized suite is skipped (the
/// parameterized tests just run their SQLite half), and, where a server is configured, proof
/// that it takes the scratch databases every such test makes.
@Suite("Test prerequisites")
struct PrerequisiteTests {
    @Test("the PostgreSQL server for the store-parameterized suites creates and drops a scratch database", .needsPostgres)
    func postgresServer() async throws {
        try await PostgresScratch.withDatabase { location in
            try await PostgresScratch.administer(location, "SELECT 1")
        }
    }
}
