import Ledger

/// An outbound message entered the outbox (store-and-forward to the IOP or a response_url).
public struct DeliveryScheduled: DomainEventPayload, CanonicalWritable {
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
    public init(deliveryId: String, kind: DeliveryKind, target: String, method: String, url: String, body: String,
                commandId: String? = nil, sessionId: String? = nil, cdrId: String? = nil) {
        self.deliveryId = deliveryId; self.kind = kind; self.target = target; self.method = method; self.url = url
        self.body = body; self.commandId = commandId; self.sessionId = sessionId; self.cdrId = cdrId
    }

    enum CodingKeys: String, CodingKey {
        case deliveryId = "delivery_id"
        case kind
        case target
        case method
        case url
        case body
        case commandId = "command_id"
        case sessionId = "session_id"
        case cdrId = "cdr_id"
    }

    public func write(to writer: inout CanonicalWriter) {
        writer.object { object in
            object.member(CodingKeys.body, body)
            object.member(CodingKeys.cdrId, cdrId)
            object.member(CodingKeys.commandId, commandId)
            object.member(CodingKeys.deliveryId, deliveryId)
            object.member(CodingKeys.kind, kind)
            object.member(CodingKeys.method, method)
            object.member(CodingKeys.sessionId, sessionId)
            object.member(CodingKeys.target, target)
            object.member(CodingKeys.url, url)
        }
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        deliveryId = try object.decode(CodingKeys.deliveryId)
        kind = try object.decode(CodingKeys.kind)
        target = try object.decode(CodingKeys.target)
        method = try object.decode(CodingKeys.method)
        url = try object.decode(CodingKeys.url)
        body = try object.decode(CodingKeys.body)
        commandId = try object.decodeIfPresent(CodingKeys.commandId)
        sessionId = try object.decodeIfPresent(CodingKeys.sessionId)
        cdrId = try object.decodeIfPresent(CodingKeys.cdrId)
    }
}

public struct DeliveryAttempted: DomainEventPayload {
    public static let eventType = "DeliveryAttempted"
    public var deliveryId: String
    public var attempt: Int
    public var httpStatus: Int?
    public var ocpiStatus: Int?
    public var error: String?
    public init(deliveryId: String, attempt: Int, httpStatus: Int? = nil, ocpiStatus: Int? = nil, error: String? = nil) {
        self.deliveryId = deliveryId; self.attempt = attempt; self.httpStatus = httpStatus
        self.ocpiStatus = ocpiStatus; self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case deliveryId = "delivery_id"
        case attempt
        case httpStatus = "http_status"
        case ocpiStatus = "ocpi_status"
        case error
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        deliveryId = try object.decode(CodingKeys.deliveryId)
        attempt = try object.decode(CodingKeys.attempt)
        httpStatus = try object.decodeIfPresent(CodingKeys.httpStatus)
        ocpiStatus = try object.decodeIfPresent(CodingKeys.ocpiStatus)
        error = try object.decodeIfPresent(CodingKeys.error)
    }
}

public struct DeliverySucceeded: DomainEventPayload {
    public static let eventType = "DeliverySucceeded"
    public var deliveryId: String
    public init(deliveryId: String) { self.deliveryId = deliveryId }

    enum CodingKeys: String, CodingKey {
        case deliveryId = "delivery_id"
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        deliveryId = try object.decode(CodingKeys.deliveryId)
    }
}

/// The receiver answered with an OCPI 2xxx error: held for an operator instead of looping.
public struct DeliveryParked: DomainEventPayload {
    public static let eventType = "DeliveryParked"
    public var deliveryId: String
    public var reason: String
    public init(deliveryId: String, reason: String) { self.deliveryId = deliveryId; self.reason = reason }

    enum CodingKeys: String, CodingKey {
        case deliveryId = "delivery_id"
        case reason
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        deliveryId = try object.decode(CodingKeys.deliveryId)
        reason = try object.decode(CodingKeys.reason)
    }
}

/// Given up by an operator's recorded decision — never silently.
public struct DeliveryAbandoned: DomainEventPayload {
    public static let eventType = "DeliveryAbandoned"
    public var deliveryId: String
    public var operatorName: String
    public var reason: String
    public init(deliveryId: String, operatorName: String, reason: String) {
        self.deliveryId = deliveryId; self.operatorName = operatorName; self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case deliveryId = "delivery_id"
        case operatorName = "operator_name"
        case reason
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        deliveryId = try object.decode(CodingKeys.deliveryId)
        operatorName = try object.decode(CodingKeys.operatorName)
        reason = try object.decode(CodingKeys.reason)
    }
}

/// An operator sent a parked delivery back to the outbox to be tried again now — a recorded
/// decision, as giving up is.
public struct DeliveryRequeued: DomainEventPayload {
    public static let eventType = "DeliveryRequeued"
    public var deliveryId: String
    public var operatorName: String

    public init(deliveryId: String, operatorName: String) {
        self.deliveryId = deliveryId; self.operatorName = operatorName
    }

    enum CodingKeys: String, CodingKey {
        case deliveryId = "delivery_id"
        case operatorName = "operator_name"
    }

    public init(reading value: CanonicalValue) throws {
        let object = try value.object()
        deliveryId = try object.decode(CodingKeys.deliveryId)
        operatorName = try object.decode(CodingKeys.operatorName)
    }
}
