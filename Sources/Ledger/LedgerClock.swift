import Foundation

/// Where `recorded_at` comes from. Injected so tests control time instead of sleeping.
public protocol LedgerClock: Sendable {
    func now() -> Timestamp
}

/// The wall clock.
public struct SystemClock: LedgerClock {
    public init() {}
    public func now() -> Timestamp { Timestamp(Date()) }
}
