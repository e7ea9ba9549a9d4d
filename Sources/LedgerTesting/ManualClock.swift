import Ledger
import Synchronization

/// A clock that moves only when told to: tests state the time instead of waiting for it.
///
/// `sleep(until:)` suspends until a test `advance`s (or `set`s) the clock past the deadline, so
/// a 30-second command timeout takes no time at all in a test.
public final class ManualClock: LedgerClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: Timestamp
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Timestamp
        var nextId: UInt64 = 0
        var sleepers: [Sleeper] = []
        /// Tasks waiting for someone to fall asleep on this clock (until `deadline`, when given).
        var watchers: [(deadline: Timestamp?, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state: Mutex<State>

    public init(_ start: Timestamp = Timestamp(iso8601: "2026-01-01T00:00:00.000Z")!) {
        state = Mutex(State(now: start))
    }

    public func now() -> Timestamp { state.withLock { $0.now } }

    public func advance(milliseconds: Int64) {
        move { $0.adding(milliseconds: milliseconds) }
    }

    public func set(_ timestamp: Timestamp) {
        move { _ in timestamp }
    }

    /// Returns once at least one task is asleep on this clock — until exactly `deadline`, when
    /// given: a service has finished what it could do now and waits for time to pass (or, with a
    /// deadline, waits for the very moment the test expects it to) — the moment to move the clock.
    public func waitForSleeper(until deadline: Timestamp? = nil) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let asleep = state.withLock { state -> Bool in
                if state.sleepers.contains(where: { deadline == nil || $0.deadline == deadline }) { return true }
                state.watchers.append((deadline, continuation))
                return false
            }
            if asleep { continuation.resume() }
        }
    }

    public func sleep(until deadline: Timestamp) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextId += 1
            return state.nextId
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (ready, watchers) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                    if state.now >= deadline || Task.isCancelled { return (true, []) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    let woken = state.watchers.filter { $0.deadline == nil || $0.deadline == deadline }
                    state.watchers.removeAll { $0.deadline == nil || $0.deadline == deadline }
                    return (false, woken.map(\.continuation))
                }
                for watcher in watchers { watcher.resume() }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    private func move(_ change: (Timestamp) -> Timestamp) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = change(state.now)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}
