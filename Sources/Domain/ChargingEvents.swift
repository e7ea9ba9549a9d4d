import Ledger

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

    public init(chargePointId: String, connection: String? = nil, instance: String? = nil) {
        self.chargePointId = chargePointId; self.connection = connection; self.instance = instance
    }

    enum CodingKeys: String, CodingKey {
        case chargePointId = "charge_point_id"
        case connection
        case instance
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        chargePointId = try object.decode(CodingKeys.chargePointId)
        connection = try object.decodeIfPresent(CodingKeys.connection)
        instance = try object.decodeIfPresent(CodingKeys.instance)
    }
}

public struct ChargePointDisconnected: DomainEventPayload {
    public static let eventType = "ChargePointDisconnected"
    public var chargePointId: String
    public var reason: String?
    /// The connection that ended (`ChargePointConnected.connection`); absent: whatever connection there was.
    public var connection: String?

    public init(chargePointId: String, reason: String? = nil, connection: String? = nil) {
        self.chargePointId = chargePointId; self.reason = reason; self.connection = connection
    }

    enum CodingKeys: String, CodingKey {
        case chargePointId = "charge_point_id"
        case reason
        case connection
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        chargePointId = try object.decode(CodingKeys.chargePointId)
        reason = try object.decodeIfPresent(CodingKeys.reason)
        connection = try object.decodeIfPresent(CodingKeys.connection)
    }
}

public struct BootNotified: DomainEventPayload {
    public static let eventType = "BootNotified"
    public var chargePointId: String
    public var vendor: String
    public var model: String
    public var firmwareVersion: String?
    public init(chargePointId: String, vendor: String, model: String, firmwareVersion: String? = nil) {
        self.chargePointId = chargePointId; self.vendor = vendor; self.model = model; self.firmwareVersion = firmwareVersion
    }

    enum CodingKeys: String, CodingKey {
        case chargePointId = "charge_point_id"
        case vendor
        case model
        case firmwareVersion = "firmware_version"
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        chargePointId = try object.decode(CodingKeys.chargePointId)
        vendor = try object.decode(CodingKeys.vendor)
        model = try object.decode(CodingKeys.model)
        firmwareVersion = try object.decodeIfPresent(CodingKeys.firmwareVersion)
    }
}

public struct ConnectorStatusChanged: DomainEventPayload {
    public static let eventType = "ConnectorStatusChanged"
    public var chargePointId: String
    public var connectorId: Int
    /// The OCPP 1.6 ChargePointStatus (`Available`, `Charging`, `Faulted`, …).
    public var status: String
    public var errorCode: String?
    public init(chargePointId: String, connectorId: Int, status: String, errorCode: String? = nil) {
        self.chargePointId = chargePointId; self.connectorId = connectorId; self.status = status; self.errorCode = errorCode
    }

    enum CodingKeys: String, CodingKey {
        case chargePointId = "charge_point_id"
        case connectorId = "connector_id"
        case status
        case errorCode = "error_code"
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        chargePointId = try object.decode(CodingKeys.chargePointId)
        connectorId = try object.decode(CodingKeys.connectorId)
        status = try object.decode(CodingKeys.status)
        errorCode = try object.decodeIfPresent(CodingKeys.errorCode)
    }
}

/// A local RFID swipe (OCPP Authorize) about to be checked with the IOP.
public struct AuthorizeRequested: DomainEventPayload {
    public static let eventType = "AuthorizeRequested"
    public var chargePointId: String
    public var idTag: String
    public var connectorId: Int?
    public var locationId: String?
    public var evseUid: String?
    public init(chargePointId: String, idTag: String, connectorId: Int? = nil, locationId: String? = nil, evseUid: String? = nil) {
        self.chargePointId = chargePointId; self.idTag = idTag; self.connectorId = connectorId
        self.locationId = locationId; self.evseUid = evseUid
    }

    enum CodingKeys: String, CodingKey {
        case chargePointId = "charge_point_id"
        case idTag = "id_tag"
        case connectorId = "connector_id"
        case locationId = "location_id"
        case evseUid = "evse_uid"
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        chargePointId = try object.decode(CodingKeys.chargePointId)
        idTag = try object.decode(CodingKeys.idTag)
        connectorId = try object.decodeIfPresent(CodingKeys.connectorId)
        locationId = try object.decodeIfPresent(CodingKeys.locationId)
        evseUid = try object.decodeIfPresent(CodingKeys.evseUid)
    }
}

/// The decision for a swipe: the IOP's AuthorizationInfo (with its `authorization_id`) or the fallback.
public struct AuthorizationDecided: DomainEventPayload {
    public static let eventType = "AuthorizationDecided"
    public var chargePointId: String
    public var idTag: String
    /// OCPI `allowed`: `ALLOWED`, `BLOCKED`, `EXPIRED`, `NO_CREDIT`, `NOT_ALLOWED`.
    public var allowed: String
    public var authorizationId: String?
    /// `iop` (a real-time answer) or `fallback` (the IOP was unreachable).
    public var decidedBy: String
    public var locationId: String?
    public var evseUid: String?
    public init(chargePointId: String, idTag: String, allowed: String, authorizationId: String? = nil,
                decidedBy: String = "iop", locationId: String? = nil, evseUid: String? = nil) {
        self.chargePointId = chargePointId; self.idTag = idTag; self.allowed = allowed
        self.authorizationId = authorizationId; self.decidedBy = decidedBy; self.locationId = locationId; self.evseUid = evseUid
    }

    enum CodingKeys: String, CodingKey {
        case chargePointId = "charge_point_id"
        case idTag = "id_tag"
        case allowed
        case authorizationId = "authorization_id"
        case decidedBy = "decided_by"
        case locationId = "location_id"
        case evseUid = "evse_uid"
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        chargePointId = try object.decode(CodingKeys.chargePointId)
        idTag = try object.decode(CodingKeys.idTag)
        allowed = try object.decode(CodingKeys.allowed)
        authorizationId = try object.decodeIfPresent(CodingKeys.authorizationId)
        decidedBy = try object.decode(CodingKeys.decidedBy)
        locationId = try object.decodeIfPresent(CodingKeys.locationId)
        evseUid = try object.decodeIfPresent(CodingKeys.evseUid)
    }
}

/// An OCPP StartTransaction became an OCPI Session.
public struct SessionStarted: DomainEventPayload {
    public static let eventType = "SessionStarted"
    public var sessionId: String
    public var chargePointId: String
    public var connectorId: Int
    public var transactionId: Int
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
    public init(sessionId: String, chargePointId: String, connectorId: Int, transactionId: Int, idTag: String,
                locationId: String, evseUid: String, authId: String, authMethod: String, startedAt: Timestamp,
                meterStartWh: Int, currency: String, authorizationId: String? = nil, commandId: String? = nil, messageId: String? = nil) {
        self.sessionId = sessionId; self.chargePointId = chargePointId; self.connectorId = connectorId
        self.transactionId = transactionId; self.idTag = idTag; self.locationId = locationId; self.evseUid = evseUid
        self.authId = authId; self.authMethod = authMethod; self.startedAt = startedAt; self.meterStartWh = meterStartWh
        self.currency = currency; self.authorizationId = authorizationId; self.commandId = commandId; self.messageId = messageId
    }

    enum CodingKeys: String, CodingKey {
        case sessionId = "session_id"
        case chargePointId = "charge_point_id"
        case connectorId = "connector_id"
        case transactionId = "transaction_id"
        case idTag = "id_tag"
        case locationId = "location_id"
        case evseUid = "evse_uid"
        case authId = "auth_id"
        case authMethod = "auth_method"
        case startedAt = "started_at"
        case meterStartWh = "meter_start_wh"
        case currency
        case authorizationId = "authorization_id"
        case commandId = "command_id"
        case messageId = "message_id"
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        sessionId = try object.decode(CodingKeys.sessionId)
        chargePointId = try object.decode(CodingKeys.chargePointId)
        connectorId = try object.decode(CodingKeys.connectorId)
        transactionId = try object.decode(CodingKeys.transactionId)
        idTag = try object.decode(CodingKeys.idTag)
        locationId = try object.decode(CodingKeys.locationId)
        evseUid = try object.decode(CodingKeys.evseUid)
        authId = try object.decode(CodingKeys.authId)
        authMethod = try object.decode(CodingKeys.authMethod)
        startedAt = try object.decode(CodingKeys.startedAt)
        meterStartWh = try object.decode(CodingKeys.meterStartWh)
        currency = try object.decode(CodingKeys.currency)
        authorizationId = try object.decodeIfPresent(CodingKeys.authorizationId)
        commandId = try object.decodeIfPresent(CodingKeys.commandId)
        messageId = try object.decodeIfPresent(CodingKeys.messageId)
    }
}

/// Why a session is (or is not) linked to an authorization: the inference, with its evidence.
///
/// OCPP 1.6 has no field tying a RemoteStartTransaction to the transaction it causes, so the link
/// is inferred; `candidates` 0 or > 1 is recorded as such (and `authorizationId` is then absent),
/// never a silent guess.
public struct AuthorizationBound: DomainEventPayload {
    public static let eventType = "AuthorizationBound"
    public var sessionId: String
    public var authorizationId: String?
    public var commandId: String?
    /// What matched: `id_tag`, `connector`, `window`, `authorize`.
    public var matchedOn: [String]
    /// Milliseconds between the authorization and the transaction start.
    public var deltaMs: Int64?
    public var candidates: Int
    public init(sessionId: String, authorizationId: String?, commandId: String? = nil, matchedOn: [String], deltaMs: Int64? = nil, candidates: Int) {
        self.sessionId = sessionId; self.authorizationId = authorizationId; self.commandId = commandId
        self.matchedOn = matchedOn; self.deltaMs = deltaMs; self.candidates = candidates
    }

    enum CodingKeys: String, CodingKey {
        case sessionId = "session_id"
        case authorizationId = "authorization_id"
        case commandId = "command_id"
        case matchedOn = "matched_on"
        case deltaMs = "delta_ms"
        case candidates
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        sessionId = try object.decode(CodingKeys.sessionId)
        authorizationId = try object.decodeIfPresent(CodingKeys.authorizationId)
        commandId = try object.decodeIfPresent(CodingKeys.commandId)
        matchedOn = try object.decode(CodingKeys.matchedOn)
        deltaMs = try object.decodeIfPresent(CodingKeys.deltaMs)
        candidates = try object.decode(CodingKeys.candidates)
    }
}

public struct MeterValuesRecorded: DomainEventPayload {
    public static let eventType = "MeterValuesRecorded"
    public var sessionId: String
    public var measuredAt: Timestamp
    /// The energy register (Energy.Active.Import.Register) in Wh, as the charger reported it.
    public var meterWh: Int
    public init(sessionId: String, measuredAt: Timestamp, meterWh: Int) {
        self.sessionId = sessionId; self.measuredAt = measuredAt; self.meterWh = meterWh
    }

    enum CodingKeys: String, CodingKey {
        case sessionId = "session_id"
        case measuredAt = "measured_at"
        case meterWh = "meter_wh"
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        sessionId = try object.decode(CodingKeys.sessionId)
        measuredAt = try object.decode(CodingKeys.measuredAt)
        meterWh = try object.decode(CodingKeys.meterWh)
    }
}

public struct SessionEnded: DomainEventPayload {
    public static let eventType = "SessionEnded"
    public var sessionId: String
    public var endedAt: Timestamp
    public var meterStopWh: Int
    public var reason: String?
    public init(sessionId: String, endedAt: Timestamp, meterStopWh: Int, reason: String? = nil) {
        self.sessionId = sessionId; self.endedAt = endedAt; self.meterStopWh = meterStopWh; self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case sessionId = "session_id"
        case endedAt = "ended_at"
        case meterStopWh = "meter_stop_wh"
        case reason
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        sessionId = try object.decode(CodingKeys.sessionId)
        endedAt = try object.decode(CodingKeys.endedAt)
        meterStopWh = try object.decode(CodingKeys.meterStopWh)
        reason = try object.decodeIfPresent(CodingKeys.reason)
    }
}

/// OCPI 2.1.1 CdrDimension.
public struct CdrDimension: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
    /// `ENERGY` (kWh), `TIME` (h), `PARKING_TIME` (h), `FLAT`, `MAX_CURRENT`, `MIN_CURRENT`.
    public var type: String
    public var volume: Double
    public init(type: String, volume: Double) { self.type = type; self.volume = volume }

    enum CodingKeys: String, CodingKey {
        case type
        case volume
    }

    public func write(to writer: inout CanonicalWriter) {
        writer.object { object in
            object.member(CodingKeys.type, type)
            object.member(CodingKeys.volume, volume)
        }
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        type = try object.decode(CodingKeys.type)
        volume = try object.decode(CodingKeys.volume)
    }
}

/// OCPI 2.1.1 ChargingPeriod.
public struct ChargingPeriod: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
    public var startDateTime: Timestamp
    public var dimensions: [CdrDimension]
    public init(startDateTime: Timestamp, dimensions: [CdrDimension]) {
        self.startDateTime = startDateTime; self.dimensions = dimensions
    }

    enum CodingKeys: String, CodingKey {
        case startDateTime = "start_date_time"
        case dimensions
    }

    public func write(to writer: inout CanonicalWriter) {
        writer.object { object in
            object.member(CodingKeys.dimensions, dimensions)
            object.member(CodingKeys.startDateTime, startDateTime)
        }
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        startDateTime = try object.decode(CodingKeys.startDateTime)
        dimensions = try object.decode(CodingKeys.dimensions)
    }
}

/// A CDR was issued for a completed session. It is immutable; a retried delivery keeps its id.
public struct CdrIssued: DomainEventPayload, CanonicalWritable {
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
    public var totalCost: Double
    public var chargingPeriods: [ChargingPeriod]
    public init(cdrId: String, sessionId: String, authorizationId: String?, authId: String, authMethod: String,
                locationId: String, evseUid: String, currency: String, startDateTime: Timestamp, stopDateTime: Timestamp,
                totalEnergy: Double, totalTime: Double, totalParkingTime: Double? = nil, totalCost: Double,
                chargingPeriods: [ChargingPeriod]) {
        self.cdrId = cdrId; self.sessionId = sessionId; self.authorizationId = authorizationId; self.authId = authId
        self.authMethod = authMethod; self.locationId = locationId; self.evseUid = evseUid; self.currency = currency
        self.startDateTime = startDateTime; self.stopDateTime = stopDateTime; self.totalEnergy = totalEnergy
        self.totalTime = totalTime; self.totalParkingTime = totalParkingTime; self.totalCost = totalCost
        self.chargingPeriods = chargingPeriods
    }

    enum CodingKeys: String, CodingKey {
        case cdrId = "cdr_id"
        case sessionId = "session_id"
        case authorizationId = "authorization_id"
        case authId = "auth_id"
        case authMethod = "auth_method"
        case locationId = "location_id"
        case evseUid = "evse_uid"
        case currency
        case startDateTime = "start_date_time"
        case stopDateTime = "stop_date_time"
        case totalEnergy = "total_energy"
        case totalTime = "total_time"
        case totalParkingTime = "total_parking_time"
        case totalCost = "total_cost"
        case chargingPeriods = "charging_periods"
    }

    public func write(to writer: inout CanonicalWriter) {
        writer.object { object in
            object.member(CodingKeys.authId, authId)
            object.member(CodingKeys.authMethod, authMethod)
            object.member(CodingKeys.authorizationId, authorizationId)
            object.member(CodingKeys.cdrId, cdrId)
            object.member(CodingKeys.chargingPeriods, chargingPeriods)
            object.member(CodingKeys.currency, currency)
            object.member(CodingKeys.evseUid, evseUid)
            object.member(CodingKeys.locationId, locationId)
            object.member(CodingKeys.sessionId, sessionId)
            object.member(CodingKeys.startDateTime, startDateTime)
            object.member(CodingKeys.stopDateTime, stopDateTime)
            object.member(CodingKeys.totalCost, totalCost)
            object.member(CodingKeys.totalEnergy, totalEnergy)
            object.member(CodingKeys.totalParkingTime, totalParkingTime)
            object.member(CodingKeys.totalTime, totalTime)
        }
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        cdrId = try object.decode(CodingKeys.cdrId)
        sessionId = try object.decode(CodingKeys.sessionId)
        authorizationId = try object.decodeIfPresent(CodingKeys.authorizationId)
        authId = try object.decode(CodingKeys.authId)
        authMethod = try object.decode(CodingKeys.authMethod)
        locationId = try object.decode(CodingKeys.locationId)
        evseUid = try object.decode(CodingKeys.evseUid)
        currency = try object.decode(CodingKeys.currency)
        startDateTime = try object.decode(CodingKeys.startDateTime)
        stopDateTime = try object.decode(CodingKeys.stopDateTime)
        totalEnergy = try object.decode(CodingKeys.totalEnergy)
        totalTime = try object.decode(CodingKeys.totalTime)
        totalParkingTime = try object.decodeIfPresent(CodingKeys.totalParkingTime)
        totalCost = try object.decode(CodingKeys.totalCost)
        chargingPeriods = try object.decode(CodingKeys.chargingPeriods)
    }
}

/// A frame from a charger that is not valid OCPP-J, and the CALLERROR it was answered with.
public struct OcppFrameRejected: DomainEventPayload {
    public static let eventType = "OcppFrameRejected"
    public var chargePointId: String
    /// The frame as received (truncated to 4 KiB).
    public var frame: String
    public var errorCode: String
    public var description: String

    public init(chargePointId: String, frame: String, errorCode: String, description: String) {
        self.chargePointId = chargePointId; self.frame = String(frame.prefix(4096)); self.errorCode = errorCode
        self.description = description
    }

    enum CodingKeys: String, CodingKey {
        case chargePointId = "charge_point_id"
        case frame
        case errorCode = "error_code"
        case description
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        chargePointId = try object.decode(CodingKeys.chargePointId)
        frame = try object.decode(CodingKeys.frame)
        errorCode = try object.decode(CodingKeys.errorCode)
        description = try object.decode(CodingKeys.description)
    }
}

/// A transaction message that cannot be taken as it is — an unknown transaction id, a meter that
/// went backwards — answered per OCPP, recorded, and never turned into an invented CDR.
public struct TransactionAnomaly: DomainEventPayload {
    public static let eventType = "TransactionAnomaly"
    public var chargePointId: String
    public var transactionId: Int
    public var sessionId: String?
    public var reason: String
    public var frame: String

    public init(chargePointId: String, transactionId: Int, sessionId: String?, reason: String, frame: String) {
        self.chargePointId = chargePointId; self.transactionId = transactionId; self.sessionId = sessionId
        self.reason = reason; self.frame = String(frame.prefix(4096))
    }

    enum CodingKeys: String, CodingKey {
        case chargePointId = "charge_point_id"
        case transactionId = "transaction_id"
        case sessionId = "session_id"
        case reason
        case frame
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        chargePointId = try object.decode(CodingKeys.chargePointId)
        transactionId = try object.decode(CodingKeys.transactionId)
        sessionId = try object.decodeIfPresent(CodingKeys.sessionId)
        reason = try object.decode(CodingKeys.reason)
        frame = try object.decode(CodingKeys.frame)
    }
}

/// A StartTransaction or StopTransaction a charger sent again because our answer did not reach it
/// (the connection dropped after we recorded the first): answered as the first time, and recorded
/// so the audit shows why it opened no new session, or ended nothing a second time.
///
/// Only a message for a transaction still open on that charge point and connector (a start), or
/// ended with exactly those values (a stop), is a resend: anything else is a new charge or an
/// anomaly, never merged into an existing one.
public struct TransactionMessageRepeated: DomainEventPayload {
    public static let eventType = "TransactionMessageRepeated"
    public var chargePointId: String
    /// `StartTransaction` or `StopTransaction`.
    public var action: String
    public var sessionId: String
    public var transactionId: Int
    /// What was compared and found equal: `open`, `connector`, `id_tag`, `meter_start`, `timestamp`,
    /// `message_id` (when the charger reused it), `completed`, `meter_stop`.
    public var matchedOn: [String]
    public var messageId: String
    /// The frame as received (truncated to 4 KiB).
    public var frame: String

    public init(chargePointId: String, action: String, sessionId: String, transactionId: Int, matchedOn: [String], messageId: String, frame: String) {
        self.chargePointId = chargePointId; self.action = action; self.sessionId = sessionId; self.transactionId = transactionId
        self.matchedOn = matchedOn; self.messageId = messageId; self.frame = String(frame.prefix(4096))
    }

    enum CodingKeys: String, CodingKey {
        case chargePointId = "charge_point_id"
        case action
        case sessionId = "session_id"
        case transactionId = "transaction_id"
        case matchedOn = "matched_on"
        case messageId = "message_id"
        case frame
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        chargePointId = try object.decode(CodingKeys.chargePointId)
        action = try object.decode(CodingKeys.action)
        sessionId = try object.decode(CodingKeys.sessionId)
        transactionId = try object.decode(CodingKeys.transactionId)
        matchedOn = try object.decode(CodingKeys.matchedOn)
        messageId = try object.decode(CodingKeys.messageId)
        frame = try object.decode(CodingKeys.frame)
    }
}
