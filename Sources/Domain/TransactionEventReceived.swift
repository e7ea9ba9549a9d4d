import CanonicalCoding
import Ledger

/// One OCPP 2.0.1 TransactionEvent as the station numbered it: which transaction, its `seqNo`,
/// and whether it was queued while the station was offline.
///
/// A station numbers every TransactionEvent of an EVSE and resends those it got no answer to,
/// so the ledger can prove that nothing was lost (OCPP 2.0.1 E 1.3.2): a `seqNo` received twice is
/// a resend (`TransactionMessageRepeated`), one missing when the transaction ends is a gap,
/// recorded as a `TransactionAnomaly` on the session. Recorded on the session's stream once the
/// transaction has a session; before (a cable plugged in, no token yet), on the station's.
@Canonical
public struct TransactionEventReceived: DomainEventPayload {
    public static let eventType = "TransactionEventReceived"
    public var chargePointId: String
    public var transactionId: TransactionId
    /// The OCPI session the transaction is; absent while it has none.
    public var sessionId: String?
    public var seqNo: Int
    /// `Started`, `Updated` or `Ended`.
    public var eventType: String
    public var triggerReason: String
    /// The station's time of the event (not when it arrived: an offline station sends it later).
    public var timestamp: Timestamp
    /// The station queued it while it was offline.
    public var offline: Bool?
    /// The `remoteStartId` it echoed, when it carried one.
    public var remoteStartId: Int?
    public var messageId: String
    /// `transactionInfo.chargingState` when it changed (`Charging`, `SuspendedEV`, `EVConnected`, …):
    /// when the EV drew energy, and when it was parked (`SessionsProjection.State.notCharging`).
    public var chargingState: String?
    /// The first energy register (Wh) the event carried (its `Transaction.Begin`, if any), when it
    /// carried one: a transaction that began before its token (a cable plugged in first) is billed
    /// from it once its session starts.
    public var meterWh: Int?
    /// The EVSE the event named (`evse.id`), when it named one.
    public var evseId: Int?

    public init(
        chargePointId: String,
        transactionId: TransactionId,
        sessionId: String?,
        seqNo: Int,
        eventType: String,
        triggerReason: String,
        timestamp: Timestamp,
        offline: Bool? = nil,
        remoteStartId: Int? = nil,
        messageId: String,
        chargingState: String? = nil,
        meterWh: Int? = nil,
        evseId: Int? = nil
    ) {
        self.chargePointId = chargePointId
        self.transactionId = transactionId
        self.sessionId = sessionId
        self.seqNo = seqNo
        self.eventType = eventType
        self.triggerReason = triggerReason
        self.timestamp = timestamp
        self.offline = offline
        self.remoteStartId = remoteStartId
        self.messageId = messageId
        self.chargingState = chargingState
        self.meterWh = meterWh
        self.evseId = evseId
    }
}
