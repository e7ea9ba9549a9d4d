import CanonicalCoding
import Ledger

/// An outbound message entered the outbox (store-and-forward to the IOP or a response_url).
@Canonical
public struct DeliveryScheduled: DomainEventPayload {
    public static let eventType = "DeliveryScheduled"
    public var deliveryId: String
    public var kind: DeliveryKind
    /// The FIFO lane: deliveries with the same target go out in order (e.g. `session:<id>`).
    public var target: String
    public var method: String
    public var url: String
    public var body: String
    public var commandId: String?
    public var sessionId: String?
    public var cdrId: String?
    /// The OCPI version `body` is written in; absent: 2.1.1. Also how the token is presented
    /// (2.2.1: Base64) and whether the ids and routing headers go with it.
    public var ocpiVersion: String?
    /// OCPI 2.2.1: the `X-Correlation-ID` and routing headers it goes out with (its
    /// `X-Request-ID` is each attempt's: `DeliveryAttempted.requestId`).
    public var exchange: OCPIExchange?
    public init(
        deliveryId: String,
        kind: DeliveryKind,
        target: String,
        method: String,
        url: String,
        body: String,
        commandId: String? = nil,
        sessionId: String? = nil,
        cdrId: String? = nil,
        ocpiVersion: String? = nil,
        exchange: OCPIExchange? = nil
    ) {
        self.deliveryId = deliveryId
        self.kind = kind
        self.target = target
        self.method = method
        self.url = url
        self.body = body
        self.commandId = commandId
        self.sessionId = sessionId
        self.cdrId = cdrId
        self.ocpiVersion = ocpiVersion
        self.exchange = exchange
    }
}

@Canonical
public struct DeliveryAttempted: DomainEventPayload {
    public static let eventType = "DeliveryAttempted"
    public var deliveryId: String
    public var attempt: Int
    public var httpStatus: Int?
    public var ocpiStatus: Int?
    public var error: String?
    /// The attempt's `X-Request-ID` (OCPI 2.2.1 deliveries): the id the receiver's logs know it by.
    public var requestId: String?
    public init(
        deliveryId: String,
        attempt: Int,
        httpStatus: Int? = nil,
        ocpiStatus: Int? = nil,
        error: String? = nil,
        requestId: String? = nil
    ) {
        self.deliveryId = deliveryId
        self.attempt = attempt
        self.httpStatus = httpStatus
        self.ocpiStatus = ocpiStatus
        self.error = error
        self.requestId = requestId
    }
}

@Canonical
public struct DeliverySucceeded: DomainEventPayload {
    public static let eventType = "DeliverySucceeded"
    public var deliveryId: String
    public init(deliveryId: String) { self.deliveryId = deliveryId }
}

/// The receiver answered with an OCPI 2xxx error: held for an operator instead of looping.
@Canonical
public struct DeliveryParked: DomainEventPayload {
    public static let eventType = "DeliveryParked"
    public var deliveryId: String
    public var reason: String
    public init(deliveryId: String, reason: String) {
        self.deliveryId = deliveryId
        self.reason = reason
    }
}

/// Given up by an operator's recorded decision — never silently.
@Canonical
public struct DeliveryAbandoned: DomainEventPayload {
    public static let eventType = "DeliveryAbandoned"
    public var deliveryId: String
    public var operatorName: String
    public var reason: String
    public init(deliveryId: String, operatorName: String, reason: String) {
        self.deliveryId = deliveryId
        self.operatorName = operatorName
        self.reason = reason
    }
}

/// An operator sent a parked delivery back to the outbox to be tried again now — a recorded
/// decision, as giving up is.
@Canonical
public struct DeliveryRequeued: DomainEventPayload {
    public static let eventType = "DeliveryRequeued"
    public var deliveryId: String
    public var operatorName: String

    public init(deliveryId: String, operatorName: String) {
        self.deliveryId = deliveryId
        self.operatorName = operatorName
    }
}
