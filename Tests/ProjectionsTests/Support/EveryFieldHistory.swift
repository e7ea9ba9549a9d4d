import Domain
import Foundation
import Ledger

/// One event of every type with every optional field set, strings that need escapes and numbers
/// at the edges of their spelling: the history on which each read model's writer and each event's
/// reader must meet Codable field by field (a field left `nil` everywhere would be checked nowhere).
enum EveryFieldHistory {
    static let odd = "quote \" backslash \\ slash / tab \t nul \u{0} bell \u{7} é 😀 \u{2028}"

    static func events(from start: Timestamp) -> [(stream: String, payload: any DomainEventPayload)] {
        func at(_ seconds: Int64) -> Timestamp { start.adding(milliseconds: seconds * 1000 + 7) }
        let token = TokenSnapshot(countryCode: "NL", partyId: "EMS", uid: odd, type: "APP_USER", contractId: "NL-EMS-C1")
        let period = ChargingPeriod(
            startDateTime: at(40),
            dimensions: [CdrDimension(type: "ENERGY", volume: 6.5), CdrDimension(type: "TIME", volume: 0.1 + 0.2)]
        )
        let tariff = JSONValue.object([
            "id": .string("T-1"), "currency": .string("EUR"), "last_updated": .string("2024-01-01T00:00:00Z"),
            "elements": .array([
                .object(["price_components": .array([.object(["type": .string("ENERGY"), "price": .number("0.30"), "step_size": .number("1")])])])
            ]),
            "tariff_alt_text": .array([.object(["language": .string("fr"), "text": .string(odd)])]), "energy_mix": .null,
        ])
        let pricing = CdrPricing(
            tariff: TariffVersion(id: "T-1", lastUpdated: odd),
            timeZone: "Europe/Paris",
            exactCost: Decimal(string: "12.375")!,
            periods: [
                .init(
                    startDateTime: at(40),
                    state: "CHARGING",
                    components: [
                        .init(
                            type: "ENERGY",
                            volume: Decimal(string: "0.1152")!,
                            billedVolume: Decimal(string: "0.116")!,
                            unitPrice: Decimal(string: "0.25")!,
                            stepSize: 1,
                            element: 0,
                            amount: Decimal(string: "0.029")!
                        ),
                        .init(
                            type: "TIME",
                            volume: Decimal(1) / Decimal(3),
                            billedVolume: Decimal(1) / Decimal(3),
                            unitPrice: nil,
                            stepSize: nil,
                            element: nil,
                            amount: 0
                        ),
                    ]
                )
            ]
        )
        return [
            ("iop-connection", CredentialsTokenIssued(purpose: "invitation", tokenHash: "ab12", by: odd, version: "2.2.1")),
            (
                "iop-connection",
                IOPRegistered(
                    initiatedBy: "iop",
                    reason: "registration",
                    versionsUrl: "https://iop/versions",
                    version: "2.1.1",
                    endpoints: [ModuleEndpoint(identifier: "sessions", url: odd), ModuleEndpoint(identifier: "cdrs", url: "https://iop/cdrs")],
                    countryCode: "FR",
                    partyId: "107",
                    businessName: odd,
                    inboundTokenHash: "cd34",
                    outboundTokenSealed: "c2VhbGVk"
                )
            ),
            ("iop-connection", IOPUnregistered(by: "iop")),
            ("location-L", LocationPublished(locationId: "L", location: .object(["id": .string("L"), "name": .string(odd)]), source: odd)),
            ("location-L", LocationPublished(locationId: "L", location: .object(["id": .string("L"), "evses": .array([])]), source: "f")),
            ("tariff-T-1", TariffPublished(tariffId: "T-1", lastUpdated: "2024-01-01T00:00:00Z", tariff: tariff, source: odd)),
            ("tariff-T-2", TariffPublished(tariffId: "T-2", lastUpdated: odd, tariff: .object([:]), source: "f")),
            ("tariff-T-2", TariffWithdrawn(tariffId: "T-2", lastUpdated: odd, source: odd)),
            ("chargepoint-CP-1", ChargePointConnected(chargePointId: "CP-1", connection: "conn-1", instance: odd)),
            (
                "chargepoint-CS-2",
                ChargePointConnected(
                    chargePointId: "CS-2",
                    connection: "conn-9",
                    instance: odd,
                    subprotocol: "ocpp2.0.1",
                    offered: ["ocpp2.0.1", odd]
                )
            ),
            ("chargepoint-CP-1", BootNotified(chargePointId: "CP-1", vendor: odd, model: "M", firmwareVersion: "1.6")),
            ("chargepoint-CP-1", ConnectorStatusChanged(chargePointId: "CP-1", connectorId: 1, status: "Preparing", errorCode: "NoError")),
            ("chargepoint-CP-1", AuthorizeRequested(chargePointId: "CP-1", idTag: "tag-é", connectorId: 1, locationId: "L", evseUid: "E")),
            (
                "chargepoint-CP-1",
                AuthorizationDecided(
                    chargePointId: "CP-1",
                    idTag: "tag-é",
                    allowed: "ALLOWED",
                    authorizationId: "auth-1",
                    decidedBy: "fallback",
                    locationId: "L",
                    evseUid: "E"
                )
            ),
            (
                "command-cmd-1",
                CommandReceived(
                    commandId: "cmd-1",
                    command: "START_SESSION",
                    body: odd,
                    bodyHash: "h",
                    responseUrl: "https://iop/r",
                    locationId: "L",
                    evseUid: "E",
                    tokenUid: "T",
                    authId: "A",
                    sessionId: "ses-1",
                    authorizationId: "auth-1",
                    ocpiVersion: "2.2.1",
                    connectorId: "1",
                    token: token,
                    exchange: OCPIExchange(requestId: odd, correlationId: "c-1", from: "NL/EMS", to: "FR/ABC")
                )
            ),
            (
                "command-cmd-1",
                CommandAnswered(commandId: "cmd-1", httpStatus: 200, statusCode: 1000, result: "ACCEPTED", statusMessage: odd, duplicateOf: "cmd-0")
            ),
            (
                "command-cmd-1",
                CommandDispatched(
                    commandId: "cmd-1",
                    chargePointId: "CP-1",
                    action: "RemoteStartTransaction",
                    messageId: "m-1",
                    connectorId: 1,
                    deadline: at(30),
                    frame: "[2,\"m-1\"]",
                    via: odd,
                    remoteStartId: 2_147_483_647
                )
            ),
            ("command-cmd-1", ChargerResponded(commandId: "cmd-1", chargePointId: "CP-1", messageId: "m-1", frame: odd, result: "ACCEPTED")),
            ("command-cmd-1", CommandTimedOut(commandId: "cmd-1", deadline: at(30))),
            ("command-cmd-1", LateChargerResponse(commandId: "cmd-1", chargePointId: "CP-1", messageId: "m-1", frame: "[3]", result: "ACCEPTED")),
            ("command-cmd-1", CommandResultQueued(commandId: "cmd-1", result: "ACCEPTED", deliveryId: "d-1")),
            ("command-cmd-1", CommandWarning(commandId: "cmd-1", warning: odd)),
            (
                "session-ses-1",
                SessionStarted(
                    sessionId: "ses-1",
                    chargePointId: "CP-1",
                    connectorId: 1,
                    transactionId: -7,
                    idTag: "other",
                    locationId: "L",
                    evseUid: "E",
                    authId: "A",
                    authMethod: "WHITELIST",
                    startedAt: at(40),
                    meterStartWh: 1000,
                    currency: "EUR",
                    authorizationId: "auth-1",
                    commandId: "cmd-1",
                    messageId: odd,
                    tariff: TariffVersion(id: "T-1", lastUpdated: "2024-01-01T00:00:00Z"),
                    token: token
                )
            ),
            (
                "chargepoint-CP-1",
                ConnectorStatusChanged(
                    chargePointId: "CP-1",
                    connectorId: 1,
                    status: "SuspendedEV",
                    errorCode: odd,
                    timestamp: at(300),
                    sessionId: "ses-1"
                )
            ),
            (
                "chargepoint-CP-1",
                ConnectorStatusChanged(chargePointId: "CP-1", connectorId: 1, status: "Charging", timestamp: at(320), sessionId: "ses-1")
            ),
            (
                "session-ses-1",
                AuthorizationBound(
                    sessionId: "ses-1",
                    authorizationId: "auth-2",
                    commandId: "cmd-1",
                    matchedOn: ["id_tag", odd],
                    deltaMs: -5,
                    candidates: 1
                )
            ),
            ("session-ses-1", AuthorizationBound(sessionId: "ses-1", authorizationId: nil, matchedOn: [], candidates: 2, remoteStartId: 418)),
            (
                "session-ses-1",
                TransactionEventReceived(
                    chargePointId: "CP-1",
                    transactionId: TransactionId(station: odd),
                    sessionId: "ses-1",
                    seqNo: 3,
                    eventType: "Updated",
                    triggerReason: "MeterValuePeriodic",
                    timestamp: at(341),
                    offline: true,
                    remoteStartId: -1,
                    messageId: odd,
                    chargingState: "SuspendedEV",
                    meterWh: 1400,
                    evseId: 1
                )
            ),
            (
                "chargepoint-CS-2",
                TransactionEventReceived(
                    chargePointId: "CS-2",
                    transactionId: TransactionId(station: "TX-Pending"),
                    sessionId: nil,
                    seqNo: 0,
                    eventType: "Started",
                    triggerReason: "CablePluggedIn",
                    timestamp: at(342),
                    messageId: "m-9",
                    chargingState: "EVConnected",
                    meterWh: 884_120,
                    evseId: 2
                )
            ),
            ("session-ses-1", MeterValuesRecorded(sessionId: "ses-1", measuredAt: at(340), meterWh: 1333)),
            ("session-ses-1", TransactionAnomaly(chargePointId: "CP-1", transactionId: -7, sessionId: "ses-1", reason: odd, frame: odd)),
            (
                "session-ses-1",
                TransactionMessageRepeated(
                    chargePointId: "CP-1",
                    action: "StartTransaction",
                    sessionId: "ses-1",
                    transactionId: -7,
                    matchedOn: ["open", odd],
                    messageId: odd,
                    frame: odd
                )
            ),
            ("session-ses-1", SessionEnded(sessionId: "ses-1", endedAt: at(1000), meterStopWh: 7500, reason: "Remote")),
            (
                "cdr-cdr-1",
                CdrIssued(
                    cdrId: "cdr-1",
                    sessionId: "ses-1",
                    authorizationId: "auth-3",
                    authId: "A",
                    authMethod: "WHITELIST",
                    locationId: "L",
                    evseUid: "E",
                    currency: "EUR",
                    startDateTime: at(40),
                    stopDateTime: at(1000),
                    totalEnergy: 1e-7,
                    totalTime: 0.2667,
                    totalParkingTime: 1e21,
                    totalCost: Decimal(string: "-12345678901234567890.125")!,
                    chargingPeriods: [period, period],
                    tariffs: [tariff, .null],
                    pricing: pricing,
                    token: token
                )
            ),
            (
                "cdr-cdr-2",
                CdrIssued(
                    cdrId: "cdr-2",
                    sessionId: "ses-1",
                    authorizationId: nil,
                    authId: "A",
                    authMethod: "WHITELIST",
                    locationId: "L",
                    evseUid: "E",
                    currency: "EUR",
                    startDateTime: at(40),
                    stopDateTime: at(1000),
                    totalEnergy: 123456.789,
                    totalTime: 0,
                    totalCost: Decimal(string: "0.000001")!,
                    chargingPeriods: []
                )
            ),
            (
                "delivery-d-1",
                DeliveryScheduled(
                    deliveryId: "d-1",
                    kind: .sessionPut,
                    target: "t",
                    method: "PUT",
                    url: "https://iop/s",
                    body: odd,
                    commandId: "cmd-1",
                    sessionId: "ses-1",
                    cdrId: "cdr-1",
                    ocpiVersion: "2.2.1",
                    exchange: OCPIExchange(correlationId: odd, from: "FR/ABC", to: "FR/107")
                )
            ),
            ("delivery-d-1", DeliveryAttempted(deliveryId: "d-1", attempt: 2, httpStatus: 503, ocpiStatus: 3000, error: odd, requestId: "r-1")),
            ("delivery-d-1", DeliveryParked(deliveryId: "d-1", reason: odd)),
            ("delivery-d-1", DeliveryRequeued(deliveryId: "d-1", operatorName: "ops")),
            ("delivery-d-1", DeliveryAbandoned(deliveryId: "d-1", operatorName: odd, reason: odd)),
            (
                "delivery-d-2",
                DeliveryScheduled(
                    deliveryId: "d-2",
                    kind: .cdr,
                    target: "t",
                    method: "POST",
                    url: "https://iop/c",
                    body: "{}",
                    sessionId: "ses-1",
                    cdrId: "cdr-2"
                )
            ),
            ("delivery-d-2", DeliverySucceeded(deliveryId: "d-2")),
            ("chargepoint-CP-1", OcppFrameRejected(chargePointId: "CP-1", frame: odd, errorCode: "FormationViolation", description: odd)),
            (
                "chargepoint-CP-1",
                EvseStatusChanged(locationId: "L", evseUid: "E", chargePointId: "CP-1", status: "CHARGING", previous: nil, cause: odd, at: at(41))
            ),
            ("chargepoint-CP-1", ChargePointDisconnected(chargePointId: "CP-1", reason: odd, connection: "conn-1")),
            // Gone past its grace period: published offline (the charge point no longer awaits it).
            (
                "chargepoint-CP-1",
                EvseStatusChanged(
                    locationId: "L",
                    evseUid: "E",
                    chargePointId: "CP-1",
                    status: "UNKNOWN",
                    previous: "CHARGING",
                    cause: "offline",
                    at: at(990)
                )
            ),
            // Connected again (elsewhere), and the late end of a connection already replaced: the new one stays open.
            ("chargepoint-CP-1", ChargePointConnected(chargePointId: "CP-1", connection: "conn-3", instance: "instance-b")),
            ("chargepoint-CP-1", ChargePointDisconnected(chargePointId: "CP-1", reason: "noticed late", connection: "conn-2")),
            ("command-cmd-2", CommandReceived(commandId: "cmd-2", command: "STOP_SESSION", body: "", bodyHash: "")),
            (
                "command-cmd-2",
                CommandDispatched(commandId: "cmd-2", chargePointId: "CP-1", action: "RemoteStopTransaction", messageId: "m-2", deadline: at(60))
            ),
        ]
    }
}
