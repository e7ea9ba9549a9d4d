import CanonicalCoding
import Ledger

/// A payload of the event catalogue (docs/ARCHITECTURE.md §3): a value type with a stable type name and
/// schema version. Encoded with snake_case keys, as OCPI is, by its own writer (`CanonicalWritable`,
/// which every append encodes through); read back by its own reader (`CanonicalReadable`), which
/// replays and audits decode every event through.
public protocol DomainEventPayload: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
    static var eventType: String { get }
    /// Bumped when the payload's shape changes; older rows are upcast on read (`EventCatalogue`).
    static var schemaVersion: Int { get }
}

extension DomainEventPayload {
    public static var schemaVersion: Int { 1 }
}

/// Every event the ledger knows, decoded. Projections switch over this exhaustively, so adding
/// an event type makes the compiler point at each fold that must consider it; its `payload` and
/// its registration in `EventCatalogue.standard` follow from the case (`@PayloadCases`).
///
/// Indirect: a replay hands each event to every projection, and each hand-over copied it — with
/// the payload inline, a retain and a release of each of its strings; boxed, one of each.
@PayloadCases
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
    case transactionEventReceived(TransactionEventReceived)
    case chargePointConnected(ChargePointConnected)
    case chargePointDisconnected(ChargePointDisconnected)
    case bootNotified(BootNotified)
    case connectorStatusChanged(ConnectorStatusChanged)
    case evseStatusChanged(EvseStatusChanged)
    case locationPublished(LocationPublished)
    case authorizeRequested(AuthorizeRequested)
    case authorizationDecided(AuthorizationDecided)
    case sessionStarted(SessionStarted)
    case authorizationBound(AuthorizationBound)
    case meterValuesRecorded(MeterValuesRecorded)
    case sessionEnded(SessionEnded)
    case cdrIssued(CdrIssued)
    case tariffPublished(TariffPublished)
    case tariffWithdrawn(TariffWithdrawn)
    case credentialsTokenIssued(CredentialsTokenIssued)
    case iopRegistered(IOPRegistered)
    case iopUnregistered(IOPUnregistered)
    case deliveryScheduled(DeliveryScheduled)
    case deliveryAttempted(DeliveryAttempted)
    case deliverySucceeded(DeliverySucceeded)
    case deliveryParked(DeliveryParked)
    case deliveryAbandoned(DeliveryAbandoned)
    case deliveryRequeued(DeliveryRequeued)
}

/// A decoded event with the facts of its place in the log.
public struct LoggedEvent: Sendable {
    public let position: Int64
    public let recordedAt: Timestamp
    public let event: DomainEvent

    public init(position: Int64, recordedAt: Timestamp, event: DomainEvent) {
        self.position = position
        self.recordedAt = recordedAt
        self.event = event
    }
}
