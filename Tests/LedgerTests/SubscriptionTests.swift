import Foundation
import Ledger
import LedgerTesting
import Testing

@Suite("Subscriptions")
struct SubscriptionTests {
    @Test("a subscription catches up on stored events, then sees events appended after it started", arguments: StoreKind.available)
    func catchUpThenFollow(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            for index in 0..<3 {
                _ = try await store.append([try Fixture.event("Old\(index)")], to: "s", expectedVersion: .any)
            }
            let received = try await withThrowingTaskGroup(of: [String].self) { group in
                group.addTask {
                    var types: [String] = []
                    for try await event in store.subscribe(after: 1, pageSize: 2) {
                        types.append(event.type)
                        if types.count == 5 { break }
                    }
                    return types
                }
                // Appended while the subscriber is (or will be) waiting: it must be woken, not poll.
                for index in 0..<3 {
                    _ = try await store.append([try Fixture.event("New\(index)")], to: "s", expectedVersion: .any)
                }
                return try await group.next()!
            }
            #expect(received == ["Old1", "Old2", "New0", "New1", "New2"])
        }
    }

    @Test("a subscription waiting for events ends when its task is cancelled", arguments: StoreKind.available)
    func cancellation(kind: StoreKind) async throws {
        try await kind.withTemporaryStore { store in
            let task = Task {
                var count = 0
                for try await _ in store.subscribe(after: 0) { count += 1 }
                return count
            }
            task.cancel()
            let count = try await task.value
            #expect(count == 0)
        }
    }
}
