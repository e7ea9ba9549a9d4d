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

    init(connections: [Connection]) {
        precondition(!connections.isEmpty)
        self.connections = connections
        self.queues = connections.indices.map { DispatchQueue(label: "chargeledger.ledger.reader.\($0)") }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws(EventStoreError) -> T {
        let index = nextIndex.add(1, ordering: .relaxed).newValue % connections.count
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, EventStoreError>, Never>) in
            queues[index].async {
                continuation.resume(returning: Result { try body(self.connections[index]) }.mapError(EventStoreError.wrapping))
            }
        }
        return try result.get()
    }

    /// Waits for reads in flight to finish.
    func close() async {
        for queue in queues {
            await withCheckedContinuation { continuation in queue.async { continuation.resume() } }
        }
    }
}
