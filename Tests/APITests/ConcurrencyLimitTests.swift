import Synchronization
import Testing

@testable import API

/// `ConcurrencyLimit`: how many charger messages are handled at once.
@Suite("Concurrency limit")
struct ConcurrencyLimitTests {
    /// Operations that each wait to be let go by the test, reporting when they start.
    final class Gates: Sendable {
        let started: AsyncStream<Int>
        private let report: AsyncStream<Int>.Continuation
        private let gates = Mutex<[Int: CheckedContinuation<Void, Never>]>([:])
        private let opened = Mutex<Set<Int>>([])

        init() { (started, report) = AsyncStream.makeStream(of: Int.self) }

        func operation(_ index: Int) async {
            report.yield(index)
            await withCheckedContinuation { continuation in
                let open = opened.withLock { $0.contains(index) }
                if open { continuation.resume() } else { gates.withLock { $0[index] = continuation } }
            }
        }

        func open(_ index: Int) {
            opened.withLock { _ = $0.insert(index) }
            gates.withLock { $0.removeValue(forKey: index) }?.resume()
        }
    }

    @Test("at most `limit` run at once; the others start in the order they came, each as a place frees")
    func limitsAndKeepsOrder() async throws {
        let limit = ConcurrencyLimit(2)
        let gates = Gates()
        var started = gates.started.makeAsyncIterator()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<5 {
                group.addTask { await limit.run { await gates.operation(index) } }
                if index < 2 {
                    #expect(await started.next() == index)
                } else {
                    // Queued behind the two running before the next is added, so the order is known.
                    for _ in 0..<100_000 where limit.waiting < index - 1 { await Task.yield() }
                    #expect(limit.waiting == index - 1, "two run, the rest wait")
                }
            }
            for index in 0..<3 {
                gates.open(index)
                #expect(await started.next() == index + 2, "a place freed by \(index) goes to the longest waiting")
            }
            gates.open(3)
            gates.open(4)
            try await group.waitForAll()
        }
    }
}
