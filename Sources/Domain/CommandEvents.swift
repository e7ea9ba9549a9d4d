import CanonicalCoding
import Ledger

/// An OCPI command request as it arrived, accepted or not: the verbatim body is the evidence.
@Canonical
public struct CommandReceived: DomainEventPayload {
    public static let eventType = "CommandReceived"
    public var commandId: String
    /// The `{command}` path segment, as sent (may be a type OCPI does not know).
    public var command: String
    /// The request body exactly as received, even when it is not valid JSON.
    public var body: String
    /// SHA-256 of `body`: how a repeated command is recognised.
    public var bodyHash: String
    public var responseUrl: String?
    public var locationId: String?
    public var evseUid: String?
    public var tokenUid: String?
    public var authId: String?
    public var sessionId: String?
    /// The authorization reference, verbatim (opaque; never trimmed or case-folded): Gireve's
    /// `authorization_id` on OCPI 2.1.1, the standard `authorization_reference` on 2.2.1 — one
    /// thing, whichever field carried it.
    public var authorizationId: String?
    /// The OCPI version it arrived on; absent: 2.1.1 (every command before 2.2.1 was served).
    public var ocpiVersion: String?
    /// OCPI 2.2.1 `connector_id`, when the eMSP named one.
    public var connectorId: String?
    /// The token as OCPI 2.2.1 names it (owner, type, contract id); absent on 2.1.1.
    public var token: TokenSnapshot?
    /// The request's ids and routing headers (OCPI 2.2.1); absent on 2.1.1.
    public var exchange: OCPIExchange?

    public init(
        commandId: String,
        command: String,
        body: String,
        bodyHash: String,
        responseUrl: String? = nil,
        locationId: String? = nil,
        evseUid: String? = nil,
        tokenUid: String? = nil,
        authId: String? = nil,
        sessionId: String? = nil,
        authorizationId: String? = nil,
        ocpiVersion: String? = nil,
        connectorId: String? = nil,
        token: TokenSnapshot? = nil,
        exchange: OCPIExchange? = nil
    ) {
        self.commandId = commandId
        self.command = command
        self.body = body
        self.bodyHash = bodyHash
        self.responseUrl = responseUrl
        self.locationId = locationId
        self.evseUid = evseUid
        self.tokenUid = tokenUid
        self.authId = authId
        self.sessionId = sessionId
        self.authorizationId = authorizationId
        self.ocpiVersion = ocpiVersion
        self.connectorId = connectorId
        self.token = token
        self.exchange = exchange
    }
}

/// The synchronous answer that left for the IOP: an OCPI CommandResponse or an OCPI error.
@Canonical
public struct CommandAnswered: DomainEventPayload {
    public static let eventType = "CommandAnswered"
    public var commandId: String
    public var httpStatus: Int
    public var statusCode: Int
    /// `ACCEPTED`, `REJECTED`, `NOT_SUPPORTED`, `UNKNOWN_SESSION`; absent for an OCPI error.
    public var result: String?
    public var statusMessage: String?
    /// For a repeated command (same type and `response_url`): the command it repeats.
    public var duplicateOf: String?

    public init(
        commandId: String,
        httpStatus: Int = 200,
        statusCode: Int,
        result: String? = nil,
        statusMessage: String? = nil,
        duplicateOf: String? = nil
    ) {
        self.commandId = commandId
        self.httpStatus = httpStatus
        self.statusCode = statusCode
        self.result = result
        self.statusMessage = statusMessage
        self.duplicateOf = duplicateOf
    }
}

/// The OCPP CALL sent to the charger for a command, with the deadline its answer must beat.
@Canonical
public struct CommandDispatched: DomainEventPayload {
    public static let eventType = "CommandDispatched"
    public var commandId: String
    public var chargePointId: String
    /// `RemoteStartTransaction`, `RemoteStopTransaction`, `ReserveNow`, `UnlockConnector`.
    public var action: String
    public var messageId: String
    public var connectorId: Int?
    public var deadline: Timestamp
    /// The CALL frame exactly as it was sent to the charger, recorded before it left: the
    /// evidence of what the charger was asked. Absent in events recorded before it was kept.
    public var frame: String?
    /// The instance that sends the CALL, when it is not the one that recorded the command: the
    /// charger is connected to another `ledger serve` on the same ledger, which follows the log
    /// and sends the commands addressed to it (`RemoteDispatch`). Absent: sent by the recorder.
    public var via: String?
    /// The `remoteStartId` of an OCPP 2.0.1 RequestStartTransaction: the station echoes it in
    /// the transaction the command starts, which proves the link (`AuthorizationBound`). Absent
    /// for OCPP 1.6, which has no such field.
    public var remoteStartId: Int?

    public init(
        commandId: String,
        chargePointId: String,
        action: String,
        messageId: String,
        connectorId: Int? = nil,
        deadline: Timestamp,
        frame: String? = nil,
        via: String? = nil,
        remoteStartId: Int? = nil
    ) {
        self.commandId = commandId
        self.chargePointId = chargePointId
        self.action = action
        self.messageId = messageId
        self.connectorId = connectorId
        self.deadline = deadline
        self.frame = frame
        self.via = via
        self.remoteStartId = remoteStartId
    }
}

/// The charger's CALLRESULT or CALLERROR for a command, verbatim, and what it means for the
/// command. Whether it came in time is the event's type, not a field: see `ChargerResponded` and
/// `LateChargerResponse`.
@Canonical
public struct ChargerAnswer<Timing: ChargerAnswerTiming>: DomainEventPayload {
    public static var eventType: String { Timing.eventType }
    public var commandId: String
    public var chargePointId: String
    public var messageId: String
    /// The OCPP frame as received.
    public var frame: String
    /// `ACCEPTED`, `REJECTED` or `NOT_SUPPORTED`.
    public var result: String

    public init(commandId: String, chargePointId: String, messageId: String, frame: String, result: String) {
        self.commandId = commandId
        self.chargePointId = chargePointId
        self.messageId = messageId
        self.frame = frame
        self.result = result
    }
}

public protocol ChargerAnswerTiming: Sendable {
    static var eventType: String { get }
}

public enum InTime: ChargerAnswerTiming {
    public static let eventType = "ChargerResponded"
}

public enum AfterTimeout: ChargerAnswerTiming {
    public static let eventType = "LateChargerResponse"
}

/// The charger answered before the deadline: its result is the command's result.
public typealias ChargerResponded = ChargerAnswer<InTime>

/// The charger answered after the command timed out: recorded and linked, never resent.
public typealias LateChargerResponse = ChargerAnswer<AfterTimeout>

/// No charger answer before the deadline. A statement about our patience, not about the charger.
@Canonical
public struct CommandTimedOut: DomainEventPayload {
    public static let eventType = "CommandTimedOut"
    public var commandId: String
    public var deadline: Timestamp

    public init(commandId: String, deadline: Timestamp) {
        self.commandId = commandId
        self.deadline = deadline
    }
}

/// The asynchronous `{"result": …}` for `response_url` was put in the outbox.
@Canonical
public struct CommandResultQueued: DomainEventPayload {
    public static let eventType = "CommandResultQueued"
    public var commandId: String
    public var result: String
    public var deliveryId: String

    public init(commandId: String, result: String, deliveryId: String) {
        self.commandId = commandId
        self.result = result
        self.deliveryId = deliveryId
    }
}

/// Something about an accepted command that an operator should know, e.g. an `authorization_id`
/// longer than the 36 characters partners expect (stored verbatim all the same).
@Canonical
public struct CommandWarning: DomainEventPayload {
    public static let eventType = "CommandWarning"
    public var commandId: String
    public var warning: String

    public init(commandId: String, warning: String) {
        self.commandId = commandId
        self.warning = warning
    }
}
