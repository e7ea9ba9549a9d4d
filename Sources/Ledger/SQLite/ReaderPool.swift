import Dispatch
import Synchronization

/// Read-only connections, each confined to its own serial queue, handed out round-robin.
///
/// WAL lets these read while the writer commits. SQLite calls block, so they run on these queues
/// rather than on the cooperative thread pool or an event loop.
final class ReaderPool: @unchecked Sendable {
    private let connections: [Connection]
    private let queues: [DispatchQueue]
    private let nextIndex = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)

    init(connections: [Connection]) {
        precondition(!connections.isEmpty)
        self.connections = connections
        self.queues = connections.indices.map { DispatchQueue(label: "chargeledger.ledger.reader.\($0)") }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws(EventStoreError) -> T {
        let index = nextIndex.add(1, ordering: .relaxed).newValue % connections.count
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, EventStoreError>, Never>) in
            queues[index].async {
                // Checked on the connection's own queue, so a read never runs on a closed handle.
                guard !self.closed.load(ordering: .acquiring) else { return continuation.resume(returning: .failure(.closed)) }
                continuation.resume(returning: Result { try body(self.connections[index]) }.mapError(EventStoreError.wrapping))
            }
        }
        return try result.get()
    }

    /// Lets reads in flight finish, then closes every connection; later reads fail with `closed`.
    func close() async {
        closed.store(true, ordering: .releasing)
        for (index, queue) in queues.enumerated() {
            await withCheckedContinuation { continuation in
                queue.async {
                    self.connections[index].close()
                    continuation.resume()
                }
            }
        }
    }
}
