import Ledger

/// Runs `operation`, giving up after `limit`: a database that cannot be reached (PostgresNIO's
/// pool keeps retrying the connection, and a query waits for one) must not hang its caller.
func withDeadline<T: Sendable>(_ limit: Duration, at location: PostgresLocation, _ operation: @escaping @Sendable () async throws -> T)
    async throws(EventStoreError) -> T
{
    do {
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let value = try await group.next() ?? nil else {
                throw EventStoreError.database("\(location) did not answer within \(limit): is the server up and reachable?")
            }
            return value
        }
    } catch {
        throw .postgres(error, at: location)
    }
}
