import Foundation

/// Where `recorded_at` and deadlines come from. Injected so tests control time instead of sleeping.
public protocol LedgerClock: Sendable {
    func now() -> Timestamp
    /// Returns once `now()` has reached `deadline`; throws `CancellationError` if the task is cancelled.
    func sleep(until deadline: Timestamp) async throws
}

/// The wall clock.
public struct SystemClock: LedgerClock {
    public init() {}
    public func now() -> Timestamp { Timestamp(Date()) }

    public func sleep(until deadline: Timestamp) async throws {
        let remaining = deadline.millisecondsSinceEpoch - now().millisecondsSinceEpoch
        if remaining > 0 { try await Task.sleep(for: .milliseconds(remaining)) }
    }
}
