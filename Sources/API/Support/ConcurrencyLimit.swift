import Synchronization

/// Runs at most `limit` operations at once; the others wait their turn, in arrival order.
///
/// Why: a charger message being handled holds its task's async frames, 15–20 KiB down the
/// StartTransaction and StopTransaction paths (the session's state, its events, the price). In a
/// storm every charger's message was in handling at once, waiting for the writer: 119 MB of a
/// 3,000-charger run's 179 MB peak heap were such frames (heaptrack, docs/performance.md). A
/// message waiting here holds only its connection's own frame. The writer commits at most 1,024
/// requests per transaction, so more in handling at once would not be recorded sooner.
///
/// A `Mutex` and continuations rather than an actor: a message that finds a free place (all of
/// them, but in a storm) goes on without a hop to another executor.
final class ConcurrencyLimit: Sendable {
    private struct State {
        var available: Int
        /// Waiting callers; those before `next` have been let in.
        var waiting: [CheckedContinuation<Void, Never>] = []
        var next = 0

        /// Takes a free place, if there is one.
        mutating func take() -> Bool {
            guard available > 0 else { return false }
            available -= 1
            return true
        }
    }

    private let state: Mutex<State>

    init(_ limit: Int) {
        state = Mutex(State(available: max(1, limit)))
    }

    /// Callers waiting for a place.
    var waiting: Int { state.withLock { $0.waiting.count - $0.next } }

    func run<T>(_ operation: () async throws -> T) async rethrows -> T {
        await enter()
        defer { leave() }
        return try await operation()
    }

    private func enter() async {
        if state.withLock({ $0.take() }) { return }
        await withCheckedContinuation { continuation in
            // A place may have been freed since the look above: take it rather than wait for none.
            let admitted = state.withLock { state in
                if state.take() { return true }
                state.waiting.append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
    }

    /// Hands the place to the longest waiting caller, or frees it.
    private func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.next < state.waiting.count else {
                state.available += 1
                return nil
            }
            let next = state.waiting[state.next]
            state.next += 1
            // Let-in callers are dropped once they are most of the list (it never empties under a
            // steady load).
            if state.next == state.waiting.count || (state.next >= 1_024 && state.next * 2 >= state.waiting.count) {
                state.waiting.removeFirst(state.next)
                state.next = 0
            }
            return next
        }
        next?.resume()
    }
}
