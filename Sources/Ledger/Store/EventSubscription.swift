/// Every event after a position: first the stored ones, then each new one as it is appended.
///
/// For projections and the billing feed. It reads in pages and sleeps on the store's append
/// notification in between, so a slow consumer costs memory for one page only. Iteration ends
/// (returns `nil`) when the consuming task is cancelled.
public struct EventSubscription: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent
    public typealias Failure = EventStoreError

    let store: any EventStore
    let after: Int64
    let pageSize: Int

    public func makeAsyncIterator() -> Iterator {
        Iterator(store: store, cursor: after, pageSize: pageSize)
    }

    public struct Iterator: AsyncIteratorProtocol {
        let store: any EventStore
        /// Position of the last event handed out.
        var cursor: Int64
        let pageSize: Int
        var buffer: [RecordedEvent] = []
        var bufferIndex = 0

        public mutating func next() async throws(EventStoreError) -> RecordedEvent? {
            while bufferIndex == buffer.count {
                if Task.isCancelled { return nil }
                do { buffer = try await store.readAll(after: cursor, limit: pageSize) } catch {
                    // Cancelled during the read: PostgreSQL reports the cancelled query as its own
                    // error; the subscription ends as it would have a moment earlier.
                    if Task.isCancelled { return nil }
                    throw error
                }
                bufferIndex = 0
                if buffer.isEmpty { await store.waitForAppend(after: cursor) }
            }
            let event = buffer[bufferIndex]
            bufferIndex += 1
            cursor = event.position
            return event
        }
    }
}
