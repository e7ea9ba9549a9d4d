import Ledger
import Synchronization

/// A clock that moves only when told to: tests state the time instead of waiting for it.
public final class ManualClock: LedgerClock {
    private let current: Mutex<Timestamp>

    public init(_ start: Timestamp = Timestamp(iso8601: "2026-01-01T00:00:00.000Z")!) {
        current = Mutex(start)
    }

    public func now() -> Timestamp { current.withLock { $0 } }

    public func advance(milliseconds: Int64) {
        current.withLock { $0 = $0.adding(milliseconds: milliseconds) }
    }

    public func set(_ timestamp: Timestamp) {
        current.withLock { $0 = timestamp }
    }
}
