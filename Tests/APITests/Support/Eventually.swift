import Foundation
import Synchronization

/// Something a test waits for that another task or process will produce: lines from a charger,
/// requests at the IOP stand-in. Waiters are resumed when a new item arrives — no polling — and
/// give up after a generous bound so a broken build fails instead of hanging.
final class Inbox<Item: Sendable>: Sendable {
    private struct Waiter {
        let matches: @Sendable ([Item]) -> Bool
        let continuation: CheckedContinuation<[Item], any Error>
    }

    private struct State {
        var items: [Item] = []
        var waiters: [UInt64: Waiter] = [:]
        var nextId: UInt64 = 0
    }

    private let state = Mutex(State())

    var items: [Item] { state.withLock { $0.items } }

    func append(_ item: Item) {
        let ready = state.withLock { state -> [CheckedContinuation<[Item], any Error>] in
            state.items.append(item)
            let items = state.items
            let done = state.waiters.filter { $0.value.matches(items) }
            for id in done.keys { state.waiters[id] = nil }
            return done.values.map(\.continuation)
        }
        let items = self.items
        for continuation in ready { continuation.resume(returning: items) }
    }

    /// Returns all items once `matches` holds for them; throws after `seconds`. `matches` runs under
    /// the inbox's lock, so it must not read the inbox itself.
    @discardableResult
    func wait(upTo seconds: Double = 30, _ what: String, until matches: @escaping @Sendable ([Item]) -> Bool) async throws -> [Item] {
        let id = state.withLock { state -> UInt64 in
            state.nextId += 1
            return state.nextId
        }
        let guardTask = Task { [weak self] in
            try await Task.sleep(for: .seconds(seconds))
            let waiter = self?.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.continuation.resume(throwing: WaitTimedOut(what: what, items: self.map { "\($0.items)" } ?? ""))
        }
        defer { guardTask.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let now = state.withLock { state -> [Item]? in
                if matches(state.items) { return state.items }
                state.waiters[id] = Waiter(matches: matches, continuation: continuation)
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}

struct WaitTimedOut: Error, CustomStringConvertible {
    let what: String
    let items: String
    var description: String { "gave up waiting for \(what); seen so far: \(items.prefix(4000))" }
}
