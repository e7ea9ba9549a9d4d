import CanonicalCoding
import Domain
import Ledger

/// Every outbound delivery and its attempts; the outbox is the `pending` and `parked` ones, in
/// order of scheduling per target (Gireve requires FIFO store-and-forward).
public struct DeliveriesProjection: Projection {
    @Canonical
    public struct State: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
        /// What was scheduled: kind, FIFO target, method, URL, body and the command/session/CDR.
        public var scheduled: DeliveryScheduled
        /// Position of `DeliveryScheduled`: the FIFO order within a target.
        public var sequence: Int64
        public var status: DeliveryStatus
        public var attempts: Int
        public var lastError: String?
        /// When the last attempt was recorded: the next one is due a backoff after it.
        public var lastAttemptAt: Timestamp?
        public var scheduledAt: Timestamp
        public var settledAt: Timestamp?
        /// When an operator last sent it back to the outbox: due again at once.
        public var requeuedAt: Timestamp?
        public var positions: [Int64]
    }

    public static let name = "deliveries"
    public static let columnNames = ["status", "target", "sequence", "command_id", "session_id"]

    public init() {}

    public func key(for event: DomainEvent) -> String? {
        switch event {
        case .deliveryScheduled(let e): e.deliveryId
        case .deliveryAttempted(let e): e.deliveryId
        case .deliverySucceeded(let e): e.deliveryId
        case .deliveryParked(let e): e.deliveryId
        case .deliveryAbandoned(let e): e.deliveryId
        case .deliveryRequeued(let e): e.deliveryId
        default: nil
        }
    }

    public func apply(_ state: inout State?, _ logged: LoggedEvent) {
        if case .deliveryScheduled(let e) = logged.event {
            state = State(
                scheduled: e,
                sequence: logged.position,
                status: .pending,
                attempts: 0,
                scheduledAt: logged.recordedAt,
                positions: [logged.position]
            )
            return
        }
        state.update { state in fold(logged, into: &state) }
    }

    /// An event for a delivery already scheduled.
    private func fold(_ logged: LoggedEvent, into state: inout State) {
        state.positions.append(logged.position)
        switch logged.event {
        case .deliveryAttempted(let e):
            state.attempts = max(state.attempts, e.attempt)
            state.lastAttemptAt = logged.recordedAt
            state.lastError = e.error ?? e.httpStatus.map { "HTTP \($0)" + (e.ocpiStatus.map { ", OCPI \($0)" } ?? "") }
        case .deliverySucceeded:
            state.status = .delivered
            state.settledAt = logged.recordedAt
        case .deliveryParked(let e):
            state.status = .parked
            state.lastError = e.reason
        case .deliveryAbandoned(let e):
            state.status = .abandoned
            state.lastError = "abandoned by \(e.operatorName): \(e.reason)"
            state.settledAt = logged.recordedAt
        case .deliveryRequeued:
            state.status = .pending
            state.requeuedAt = logged.recordedAt
        default:
            break
        }
    }

    public func columns(_ state: State) -> [SQLValue] {
        [
            .text(state.status.rawValue), .text(state.scheduled.target), .integer(state.sequence),
            state.scheduled.commandId.map(SQLValue.text) ?? .null, state.scheduled.sessionId.map(SQLValue.text) ?? .null,
        ]
    }
}
