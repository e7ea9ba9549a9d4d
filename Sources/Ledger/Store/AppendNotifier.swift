import Synchronization

/// Wakes subscribers when the head position moves, without polling. Every store has one: it
/// advances it after its own commits (and, on a shared database, when another process commits).
public final class AppendNotifier: Sendable {
    private struct Waiter {
        let id: UInt64
        let after: Int64
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var head: Int64
        var nextId: UInt64 = 0
        var waiters: [Waiter] = []
    }

    private let state: Mutex<State>

    public init(head: Int64) { state = Mutex(State(head: head)) }

    public func advance(to head: Int64) {
        let ready = state.withLock { state -> [Waiter] in
            state.head = max(state.head, head)
            let ready = state.waiters.filter { $0.after < state.head }
            state.waiters.removeAll { $0.after < state.head }
            return ready
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    public func wait(after position: Int64) async {
        let id = state.withLock { state -> UInt64 in
            state.nextId += 1
            return state.nextId
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.head > position || Task.isCancelled { return true }
                    state.waiters.append(Waiter(id: id, after: position, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            cancelled?.continuation.resume()
        }
    }

    /// Releases every waiter (the store is closing).
    public func releaseAll() {
        let waiters = state.withLock { state -> [Waiter] in
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume() }
    }
}
