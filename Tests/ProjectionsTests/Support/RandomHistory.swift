import Domain
import Foundation
import Ledger
import LedgerTesting

/// Random but plausible histories: commands, charger answers and timeouts, sessions with meter
/// values, CDRs (sometimes duplicated or with another authorization), swipes and deliveries —
/// with a small pool of authorization ids so that links collide the way disputes do.
struct RandomHistory {
    var random: SeededGenerator
    private var commands: [String] = []
    private var openSessions: [String: Int] = [:]
    private var endedSessions: [String] = []
    private var deliveries: [String] = []
    private var counter = 0
    private let authorizations = ["auth-a", "auth-b", "auth-c", "auth-d"]
    private var time = Timestamp(iso8601: "2024-03-12T08:00:00Z")!

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    private mutating func next(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)-\(counter)"
    }

    private mutating func authorization() -> String? {
        Int.random(in: 0..<5, using: &random) == 0 ? nil : authorizations.randomElement(using: &random)
    }

    private mutating func pick(_ values: [String]) -> String? { values.randomElement(using: &random) }

    /// One event and the stream it belongs to.
    mutating func nextEvent() -> (stream: String, payload: any DomainEventPayload) {
        time = time.adding(milliseconds: Int64.random(in: 1...90_000, using: &random))
        while true {
            switch Int.random(in: 0..<16, using: &random) {
            case 0, 1:
                let id = next("cmd")
                commands.append(id)
                let command = Bool.random(using: &random) ? "START_SESSION" : "STOP_SESSION"
                return (
                    "command-\(id)",
                    CommandReceived(
                        commandId: id,
                        command: command,
                        body: "{}",
                        bodyHash: "h",
                        responseUrl: "https://iop/\(id)",
                        locationId: "L",
                        evseUid: "E\(Int.random(in: 1...3, using: &random))",
                        tokenUid: "T",
                        authorizationId: authorization()
                    )
                )
            case 2:
                guard let id = pick(commands) else { continue }
                return (
                    "command-\(id)", CommandAnswered(commandId: id, statusCode: 1000, result: ["ACCEPTED", "REJECTED"].randomElement(using: &random))
                )
            case 3:
                guard let id = pick(commands) else { continue }
                return (
                    "command-\(id)",
                    CommandDispatched(
                        commandId: id,
                        chargePointId: "CP",
                        action: "RemoteStartTransaction",
                        messageId: "m-\(id)",
                        deadline: time.adding(milliseconds: 30_000)
                    )
                )
            case 4:
                guard let id = pick(commands) else { continue }
                let result = ["ACCEPTED", "REJECTED", "NOT_SUPPORTED"].randomElement(using: &random)!
                return (
                    "command-\(id)",
                    Bool.random(using: &random)
                        ? ChargerResponded(commandId: id, chargePointId: "CP", messageId: "m-\(id)", frame: "[3]", result: result)
                            as any DomainEventPayload
                        : LateChargerResponse(commandId: id, chargePointId: "CP", messageId: "m-\(id)", frame: "[3]", result: result)
                )
            case 5:
                guard let id = pick(commands) else { continue }
                return ("command-\(id)", CommandTimedOut(commandId: id, deadline: time))
            case 6, 7:
                let id = next("ses")
                openSessions[id] = Int.random(in: 0...50_000, using: &random)
                return (
                    "session-\(id)",
                    SessionStarted(
                        sessionId: id,
                        chargePointId: "CP",
                        connectorId: 1,
                        transactionId: TransactionId(ocpp16: counter),
                        idTag: "T",
                        locationId: "L",
                        evseUid: "E1",
                        authId: "A",
                        authMethod: "AUTH_REQUEST",
                        startedAt: time,
                        meterStartWh: openSessions[id]!,
                        currency: "EUR",
                        authorizationId: authorization(),
                        commandId: pick(commands)
                    )
                )
            case 8:
                guard let id = pick(Array(openSessions.keys).sorted()) else { continue }
                let candidates = Int.random(in: 0...2, using: &random)
                return (
                    "session-\(id)",
                    AuthorizationBound(
                        sessionId: id,
                        authorizationId: candidates == 1 ? authorization() : nil,
                        commandId: candidates == 1 ? pick(commands) : nil,
                        matchedOn: ["id_tag"],
                        deltaMs: 1000,
                        candidates: candidates
                    )
                )
            case 9, 10:
                guard let id = pick(Array(openSessions.keys).sorted()) else { continue }
                openSessions[id]! += Int.random(in: 0...5000, using: &random)
                return ("session-\(id)", MeterValuesRecorded(sessionId: id, measuredAt: time, meterWh: openSessions[id]!))
            case 11:
                guard let id = pick(Array(openSessions.keys).sorted()) else { continue }
                let meter = openSessions.removeValue(forKey: id)!
                endedSessions.append(id)
                return ("session-\(id)", SessionEnded(sessionId: id, endedAt: time, meterStopWh: meter))
            case 12:
                guard let session = pick(endedSessions) else { continue }
                let id = next("cdr")
                return (
                    "cdr-\(id)",
                    CdrIssued(
                        cdrId: id,
                        sessionId: session,
                        authorizationId: authorization(),
                        authId: "A",
                        authMethod: "AUTH_REQUEST",
                        locationId: "L",
                        evseUid: "E1",
                        currency: "EUR",
                        startDateTime: time,
                        stopDateTime: time,
                        totalEnergy: 1.5,
                        totalTime: 0.25,
                        totalCost: 0,
                        chargingPeriods: []
                    )
                )
            case 13:
                let id = next("swipe")
                return ("chargepoint-CP", AuthorizationDecided(chargePointId: "CP", idTag: id, allowed: "ALLOWED", authorizationId: authorization()))
            case 14:
                let id = next("dlv")
                deliveries.append(id)
                return (
                    "delivery-\(id)",
                    DeliveryScheduled(
                        deliveryId: id,
                        kind: [DeliveryKind.commandResult, .sessionPut, .cdr].randomElement(using: &random)!,
                        target: "t\(Int.random(in: 1...3, using: &random))",
                        method: "POST",
                        url: "https://iop/x",
                        body: "{}",
                        commandId: pick(commands),
                        sessionId: pick(endedSessions)
                    )
                )
            default:
                guard let id = pick(deliveries) else { continue }
                switch Int.random(in: 0..<4, using: &random) {
                case 0: return ("delivery-\(id)", DeliveryAttempted(deliveryId: id, attempt: Int.random(in: 1...5, using: &random), httpStatus: 503))
                case 1: return ("delivery-\(id)", DeliverySucceeded(deliveryId: id))
                case 2: return ("delivery-\(id)", DeliveryParked(deliveryId: id, reason: "OCPI 2001"))
                default: return ("delivery-\(id)", DeliveryAbandoned(deliveryId: id, operatorName: "ops", reason: "duplicate"))
                }
            }
        }
    }

    mutating func nextNewEvent() throws -> (stream: String, event: NewEvent) {
        let (stream, payload) = nextEvent()
        return (stream, try Self.encode(payload))
    }

    private static func encode<P: DomainEventPayload>(_ payload: P) throws -> NewEvent {
        try EventCoding.newEvent(payload, metadata: EventMetadata(source: "random"))
    }
}
