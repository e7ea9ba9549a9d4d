import CanonicalCoding
import Foundation
import Ledger

@Canonical
public struct ChargePointConnected: DomainEventPayload {
    public static let eventType = "ChargePointConnected"
    public var chargePointId: String
    /// This WebSocket connection's id: its `ChargePointDisconnected` names it, so the end of a
    /// connection already replaced (on another instance, noticed late) does not end the new one.
    /// Absent in events recorded before it was kept.
    public var connection: String?
    /// The `ledger serve` instance holding the connection: commands for this charger are sent
    /// through it (`CommandDispatched.via`), and it is gone when that instance stops.
    public var instance: String?
    /// The WebSocket subprotocol agreed on: `ocpp2.0.1`; absent: `ocpp1.6`, the only one before.
    public var subprotocol: String?
    /// The subprotocols the charger offered, when it offered more than the one agreed on.
    public var offered: [String]?

    public init(chargePointId: String, connection: String? = nil, instance: String? = nil, subprotocol: String? = nil, offered: [String]? = nil) {
        self.chargePointId = chargePointId
        self.connection = connection
        self.instance = instance
        self.subprotocol = subprotocol
        self.offered = offered
    }
}

@Canonical
public struct ChargePointDisconnected: DomainEventPayload {
    public static let eventType = "ChargePointDisconnected"
    public var chargePointId: String
    public var reason: String?
    /// The connection that ended (`ChargePointConnected.connection`); absent: whatever connection there was.
    public var connection: String?

    public init(chargePointId: String, reason: String? = nil, connection: String? = nil) {
        self.chargePointId = chargePointId
        self.reason = reason
        self.connection = connection
    }
}

@Canonical
public struct BootNotified: DomainEventPayload {
    public static let eventType = "BootNotified"
    public var chargePointId: String
    public var vendor: String
    public var model: String
    public var firmwareVersion: String?
    public init(chargePointId: String, vendor: String, model: String, firmwareVersion: String? = nil) {
        self.chargePointId = chargePointId
        self.vendor = vendor
        self.model = model
        self.firmwareVersion = firmwareVersion
    }
}

@Canonical
public struct ConnectorStatusChanged: DomainEventPayload {
    public static let eventType = "ConnectorStatusChanged"
    public var chargePointId: String
    public var connectorId: Int
    /// The OCPP 1.6 ChargePointStatus (`Available`, `Charging`, `Faulted`, …).
    public var status: String
    public var errorCode: String?
    /// The charger's time of the change, when it gave one.
    public var timestamp: Timestamp?
    /// The session open on this connector when the status came: SuspendedEV and Finishing start
    /// its not-charging (parking) time, Charging ends it (`SessionsProjection.State.notCharging`).
    public var sessionId: String?
    public init(
        chargePointId: String,
        connectorId: Int,
        status: String,
        errorCode: String? = nil,
        timestamp: Timestamp? = nil,
        sessionId: String? = nil
    ) {
        self.chargePointId = chargePointId
        self.connectorId = connectorId
        self.status = status
        self.errorCode = errorCode
        self.timestamp = timestamp
        self.sessionId = sessionId
    }
}

/// A local RFID swipe (OCPP Authorize) about to be checked with the IOP.
@Canonical
public struct AuthorizeRequested: DomainEventPayload {
    public static let eventType = "AuthorizeRequested"
    public var chargePointId: String
    public var idTag: String
    public var connectorId: Int?
    public var locationId: String?
    public var evseUid: String?
    public init(chargePointId: String, idTag: String, connectorId: Int? = nil, locationId: String? = nil, evseUid: String? = nil) {
        self.chargePointId = chargePointId
        self.idTag = idTag
        self.connectorId = connectorId
        self.locationId = locationId
        self.evseUid = evseUid
    }
}

/// The decision for a swipe: the IOP's AuthorizationInfo (with its `authorization_id`) or the fallback.
@Canonical
public struct AuthorizationDecided: DomainEventPayload {
    public static let eventType = "AuthorizationDecided"
    public var chargePointId: String
    public var idTag: String
    /// OCPI `allowed`: `ALLOWED`, `BLOCKED`, `EXPIRED`, `NO_CREDIT`, `NOT_ALLOWED`.
    public var allowed: String
    public var authorizationId: String?
    /// `iop` (a real-time answer), `fallback` (the IOP was unreachable), or `command:<id>` (an OCPI
    /// 2.2.1 StartSession for this token at this charge point in the last 15 minutes stands for it).
    public var decidedBy: String
    public var locationId: String?
    public var evseUid: String?
    /// The token as the IOP's OCPI 2.2.1 AuthorizationInfo described it (owner, type, contract
    /// id): the `CdrToken` of the session the swipe starts. Absent on 2.1.1.
    public var token: TokenSnapshot?
    public init(
        chargePointId: String,
        idTag: String,
        allowed: String,
        authorizationId: String? = nil,
        decidedBy: String = "iop",
        locationId: String? = nil,
        evseUid: String? = nil,
        token: TokenSnapshot? = nil
    ) {
        self.chargePointId = chargePointId
        self.idTag = idTag
        self.allowed = allowed
        self.authorizationId = authorizationId
        self.decidedBy = decidedBy
        self.locationId = locationId
        self.evseUid = evseUid
        self.token = token
    }
}

/// An OCPP StartTransaction became an OCPI Session.
@Canonical
public struct SessionStarted: DomainEventPayload {
    public static let eventType = "SessionStarted"
    public var sessionId: String
    public var chargePointId: String
    public var connectorId: Int
    public var transactionId: TransactionId
    public var idTag: String
    public var locationId: String
    public var evseUid: String
    /// OCPI `auth_id` (the token's).
    public var authId: String
    /// `AUTH_REQUEST` or `WHITELIST`.
    public var authMethod: String
    /// The charger's time.
    public var startedAt: Timestamp
    public var meterStartWh: Int
    public var currency: String
    /// Inherited from the command or authorization that caused it, when one was bound.
    public var authorizationId: String?
    public var commandId: String?
    /// The OCPP-J message id of the StartTransaction: a charger that resends it with the same id
    /// proves the resend (`TransactionMessageRepeated`). Absent in logs recorded before it was kept.
    public var messageId: String?
    /// The tariff version in force on the connector when the session started: the one its CDR is
    /// priced with, whatever is published meanwhile (spec digest §1.4.8 [REC]). Absent: no tariff.
    public var tariff: TariffVersion?
    /// The token as the command that started it named it over OCPI 2.2.1 (its `CdrToken`); absent
    /// when it was started over 2.1.1 or by a swipe.
    public var token: TokenSnapshot?
    public init(
        sessionId: String,
        chargePointId: String,
        connectorId: Int,
        transactionId: TransactionId,
        idTag: String,
        locationId: String,
        evseUid: String,
        authId: String,
        authMethod: String,
        startedAt: Timestamp,
        meterStartWh: Int,
        currency: String,
        authorizationId: String? = nil,
        commandId: String? = nil,
        messageId: String? = nil,
        tariff: TariffVersion? = nil,
        token: TokenSnapshot? = nil
    ) {
        self.sessionId = sessionId
        self.chargePointId = chargePointId
        self.connectorId = connectorId
        self.transactionId = transactionId
        self.idTag = idTag
        self.locationId = locationId
        self.evseUid = evseUid
        self.authId = authId
        self.authMethod = authMethod
        self.startedAt = startedAt
        self.meterStartWh = meterStartWh
        self.currency = currency
        self.authorizationId = authorizationId
        self.commandId = commandId
        self.messageId = messageId
        self.tariff = tariff
        self.token = token
    }
}

/// Why a session is (or is not) linked to an authorization, with its evidence.
///
/// OCPP 1.6 has no field tying a RemoteStartTransaction to the transaction it causes, so the link
/// is inferred; `candidates` 0 or > 1 is recorded as such (and `authorizationId` is then absent),
/// never a silent guess. An OCPP 2.0.1 station proves it: the transaction carries the
/// `remoteStartId` of our RequestStartTransaction (`matchedOn` `remote_start_id`, no window).
@Canonical
public struct AuthorizationBound: DomainEventPayload {
    public static let eventType = "AuthorizationBound"
    public var sessionId: String
    public var authorizationId: String?
    public var commandId: String?
    /// What matched: `id_tag`, `connector`, `window`, `authorize`; for OCPP 2.0.1 `remote_start_id`
    /// and the checks it passed (`id_token`, `evse`).
    public var matchedOn: [String]
    /// Milliseconds between the authorization and the transaction start.
    public var deltaMs: Int64?
    public var candidates: Int
    /// The OCPP 2.0.1 `remoteStartId` the station's TransactionEvent carried, when it carried one.
    public var remoteStartId: Int?
    public init(
        sessionId: String,
        authorizationId: String?,
        commandId: String? = nil,
        matchedOn: [String],
        deltaMs: Int64? = nil,
        candidates: Int,
        remoteStartId: Int? = nil
    ) {
        self.sessionId = sessionId
        self.authorizationId = authorizationId
        self.commandId = commandId
        self.matchedOn = matchedOn
        self.deltaMs = deltaMs
        self.candidates = candidates
        self.remoteStartId = remoteStartId
    }
}

@Canonical
public struct MeterValuesRecorded: DomainEventPayload {
    public static let eventType = "MeterValuesRecorded"
    public var sessionId: String
    public var measuredAt: Timestamp
    /// The energy register (Energy.Active.Import.Register) in Wh, as the charger reported it.
    public var meterWh: Int
    public init(sessionId: String, measuredAt: Timestamp, meterWh: Int) {
        self.sessionId = sessionId
        self.measuredAt = measuredAt
        self.meterWh = meterWh
    }
}

@Canonical
public struct SessionEnded: DomainEventPayload {
    public static let eventType = "SessionEnded"
    public var sessionId: String
    public var endedAt: Timestamp
    public var meterStopWh: Int
    public var reason: String?
    public init(sessionId: String, endedAt: Timestamp, meterStopWh: Int, reason: String? = nil) {
        self.sessionId = sessionId
        self.endedAt = endedAt
        self.meterStopWh = meterStopWh
        self.reason = reason
    }
}

/// OCPI 2.1.1 CdrDimension.
@Canonical
public struct CdrDimension: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
    /// `ENERGY` (kWh), `TIME` (h), `PARKING_TIME` (h), `FLAT`, `MAX_CURRENT`, `MIN_CURRENT`.
    public var type: String
    public var volume: Double
    public init(type: String, volume: Double) {
        self.type = type
        self.volume = volume
    }
}

/// OCPI 2.1.1 ChargingPeriod.
@Canonical
public struct ChargingPeriod: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
    public var startDateTime: Timestamp
    public var dimensions: [CdrDimension]
    public init(startDateTime: Timestamp, dimensions: [CdrDimension]) {
        self.startDateTime = startDateTime
        self.dimensions = dimensions
    }
}

/// A CDR was issued for a completed session. It is immutable; a retried delivery keeps its id.
@Canonical
public struct CdrIssued: DomainEventPayload {
    public static let eventType = "CdrIssued"
    public var cdrId: String
    public var sessionId: String
    /// The session's `authorization_id` when the CDR was issued; absent when none was known.
    public var authorizationId: String?
    public var authId: String
    public var authMethod: String
    public var locationId: String
    public var evseUid: String
    public var currency: String
    public var startDateTime: Timestamp
    public var stopDateTime: Timestamp
    public var totalEnergy: Double
    public var totalTime: Double
    public var totalParkingTime: Double?
    /// Excluding VAT, rounded by the one money rule; 0 when the session had no tariff (and in
    /// CDRs recorded before pricing, which replay to exactly that).
    public var totalCost: Decimal
    public var chargingPeriods: [ChargingPeriod]
    /// The Tariff objects used, as they were when the session started (one: spec digest §3.1 [REC]).
    public var tariffs: [JSONValue]?
    /// How `totalCost` was computed; absent for a session without a tariff.
    public var pricing: CdrPricing?
    /// The session's token as OCPI 2.2.1 names it (`SessionStarted.token`); absent when unknown.
    public var token: TokenSnapshot?
    public init(
        cdrId: String,
        sessionId: String,
        authorizationId: String?,
        authId: String,
        authMethod: String,
        locationId: String,
        evseUid: String,
        currency: String,
        startDateTime: Timestamp,
        stopDateTime: Timestamp,
        totalEnergy: Double,
        totalTime: Double,
        totalParkingTime: Double? = nil,
        totalCost: Decimal,
        chargingPeriods: [ChargingPeriod],
        tariffs: [JSONValue]? = nil,
        pricing: CdrPricing? = nil,
        token: TokenSnapshot? = nil
    ) {
        self.cdrId = cdrId
        self.sessionId = sessionId
        self.authorizationId = authorizationId
        self.authId = authId
        self.authMethod = authMethod
        self.locationId = locationId
        self.evseUid = evseUid
        self.currency = currency
        self.startDateTime = startDateTime
        self.stopDateTime = stopDateTime
        self.totalEnergy = totalEnergy
        self.totalTime = totalTime
        self.totalParkingTime = totalParkingTime
        self.totalCost = totalCost
        self.chargingPeriods = chargingPeriods
        self.tariffs = tariffs
        self.pricing = pricing
        self.token = token
    }
}

/// A frame from a charger that is not valid OCPP-J, and the CALLERROR it was answered with.
@Canonical
public struct OcppFrameRejected: DomainEventPayload {
    public static let eventType = "OcppFrameRejected"
    public var chargePointId: String
    /// The frame as received (truncated to 4 KiB).
    public var frame: String
    public var errorCode: String
    public var description: String

    public init(chargePointId: String, frame: String, errorCode: String, description: String) {
        self.chargePointId = chargePointId
        self.frame = String(frame.prefix(4096))
        self.errorCode = errorCode
        self.description = description
    }
}

/// A transaction message that cannot be taken as it is — an unknown transaction id, a meter that
/// went backwards — answered per OCPP, recorded, and never turned into an invented CDR.
@Canonical
public struct TransactionAnomaly: DomainEventPayload {
    public static let eventType = "TransactionAnomaly"
    public var chargePointId: String
    public var transactionId: TransactionId
    public var sessionId: String?
    public var reason: String
    public var frame: String

    public init(chargePointId: String, transactionId: TransactionId, sessionId: String?, reason: String, frame: String) {
        self.chargePointId = chargePointId
        self.transactionId = transactionId
        self.sessionId = sessionId
        self.reason = reason
        self.frame = String(frame.prefix(4096))
    }
}

/// A StartTransaction or StopTransaction a charger sent again because our answer did not reach it
/// (the connection dropped after we recorded the first): answered as the first time, and recorded
/// so the audit shows why it opened no new session, or ended nothing a second time.
///
/// Only a message for a transaction still open on that charge point and connector (a start), or
/// ended with exactly those values (a stop), is a resend: anything else is a new charge or an
/// anomaly, never merged into an existing one.
@Canonical
public struct TransactionMessageRepeated: DomainEventPayload {
    public static let eventType = "TransactionMessageRepeated"
    public var chargePointId: String
    /// `StartTransaction` or `StopTransaction`.
    public var action: String
    public var sessionId: String
    public var transactionId: TransactionId
    /// What was compared and found equal: `open`, `connector`, `id_tag`, `meter_start`, `timestamp`,
    /// `message_id` (when the charger reused it), `completed`, `meter_stop`.
    public var matchedOn: [String]
    public var messageId: String
    /// The frame as received (truncated to 4 KiB).
    public var frame: String

    public init(
        chargePointId: String,
        action: String,
        sessionId: String,
        transactionId: TransactionId,
        matchedOn: [String],
        messageId: String,
        frame: String
    ) {
        self.chargePointId = chargePointId
        self.action = action
        self.sessionId = sessionId
        self.transactionId = transactionId
        self.matchedOn = matchedOn
        self.messageId = messageId
        self.frame = String(frame.prefix(4096))
    }
}
