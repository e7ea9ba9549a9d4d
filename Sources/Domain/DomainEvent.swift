import Ledger

/// A payload of the event catalogue (docs/ARCHITECTURE.md §3): a value type with a stable type name and
/// schema version. Encoded with snake_case keys, as OCPI is; read back by its own reader
/// (`CanonicalReadable`), which replays and audits decode every event through.
public protocol DomainEventPayload: Codable, Sendable, Equatable, CanonicalReadable {
    static var eventType: String { get }
    /// Bumped when the payload's shape changes; older rows are upcast on read (`EventCatalogue`).
    static var schemaVersion: Int { get }
}

extension DomainEventPayload {
    public static var schemaVersion: Int { 1 }
}

/// Every event the ledger knows, decoded. Projections switch over this exhaustively, so adding
/// an event type makes the compiler point at each fold that must consider it.
///
/// Indirect: a replay hands each event to every projection, and each hand-over copied it — with
/// the payload inline, a retain and a release of each of its strings; boxed, one of each.
public indirect enum DomainEvent: Sendable, Equatable {
    case commandReceived(CommandReceived)
    case commandAnswered(CommandAnswered)
    case commandDispatched(CommandDispatched)
    case chargerResponded(ChargerResponded)
    case lateChargerResponse(LateChargerResponse)
    case commandTimedOut(CommandTimedOut)
    case commandResultQueued(CommandResultQueued)
    case commandWarning(CommandWarning)
    case ocppFrameRejected(OcppFrameRejected)
    case transactionAnomaly(TransactionAnomaly)
    case transactionMessageRepeated(TransactionMessageRepeated)
    case chargePointConnected(ChargePointConnected)
    case chargePointDisconnected(ChargePointDisconnected)
    case bootNotified(BootNotified)
    case connectorStatusChanged(ConnectorStatusChanged)
    case authorizeRequested(AuthorizeRequested)
    case authorizationDecided(AuthorizationDecided)
    case sessionStarted(SessionStarted)
    case authorizationBound(AuthorizationBound)
    case meterValuesRecorded(MeterValuesRecorded)
    case sessionEnded(SessionEnded)
    case cdrIssued(CdrIssued)
    case deliveryScheduled(DeliveryScheduled)
    case deliveryAttempted(DeliveryAttempted)
    case deliverySucceeded(DeliverySucceeded)
    case deliveryParked(DeliveryParked)
    case deliveryAbandoned(DeliveryAbandoned)
    case deliveryRequeued(DeliveryRequeued)

    public var payload: any DomainEventPayload {
        switch self {
        case .commandReceived(let payload): payload
        case .commandAnswered(let payload): payload
        case .commandDispatched(let payload): payload
        case .chargerResponded(let payload): payload
        case .lateChargerResponse(let payload): payload
        case .commandTimedOut(let payload): payload
        case .commandResultQueued(let payload): payload
        case .commandWarning(let payload): payload
        case .ocppFrameRejected(let payload): payload
        case .transactionAnomaly(let payload): payload
        case .transactionMessageRepeated(let payload): payload
        case .chargePointConnected(let payload): payload
        case .chargePointDisconnected(let payload): payload
        case .bootNotified(let payload): payload
        case .connectorStatusChanged(let payload): payload
        case .authorizeRequested(let payload): payload
        case .authorizationDecided(let payload): payload
        case .sessionStarted(let payload): payload
        case .authorizationBound(let payload): payload
        case .meterValuesRecorded(let payload): payload
        case .sessionEnded(let payload): payload
        case .cdrIssued(let payload): payload
        case .deliveryScheduled(let payload): payload
        case .deliveryAttempted(let payload): payload
        case .deliverySucceeded(let payload): payload
        case .deliveryParked(let payload): payload
        case .deliveryAbandoned(let payload): payload
        case .deliveryRequeued(let payload): payload
        }
    }
}

/// A decoded event with the facts of its place in the log.
public struct LoggedEvent: Sendable {
    public let position: Int64
    public let recordedAt: Timestamp
    public let event: DomainEvent

    public init(position: Int64, recordedAt: Timestamp, event: DomainEvent) {
        self.position = position; self.recordedAt = recordedAt; self.event = event
    }
}
