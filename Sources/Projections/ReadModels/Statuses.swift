import Ledger

/// Where a session is: OCPI's `ACTIVE` until the charger's StopTransaction, then `COMPLETED`.
public enum SessionStatus: String, CanonicalRawValue, Sendable, CustomStringConvertible {
    case active = "ACTIVE"
    case completed = "COMPLETED"

    public var description: String { rawValue }
}

/// Where a delivery is in the outbox: `pending` (due, or waiting out its backoff), `parked` (out
/// of attempts, or refused for good: waits for an operator), then `delivered` or `abandoned`.
public enum DeliveryStatus: String, CanonicalRawValue, Sendable, CustomStringConvertible {
    case pending
    case parked
    case delivered
    case abandoned

    public var description: String { rawValue }
}
