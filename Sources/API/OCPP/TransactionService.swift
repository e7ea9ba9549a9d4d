import Domain
import Foundation
import Ledger
import Logging
import Pricing
import Projections

/// OCPP 1.6 transactions become OCPI Sessions and CDRs, and the IOP hears of them through the
/// outbox (FIFO per session: PUT, then PATCH, then the CDR).
///
/// A transaction after a remote START_SESSION, or a swipe the IOP allowed, is bound to it and
/// inherits its `authorization_id` (`SessionBinding`).
public struct TransactionService: Sendable {
    let store: any ProjectionStore
    let locations: LocationRegistry
    /// Where Sessions and CDRs go (`IOPLink`: the registered connection, or `--iop-url`).
    let iop: IOPLink
    /// Real-time authorization of local swipes; `nil` without an IOP (then `rfidFallback` decides).
    let authorizer: (any TokenAuthorizer)?
    /// What a swipe gets when the IOP cannot answer: `ALLOWED`, or `NOT_ALLOWED` (the default).
    let rfidFallback: String
    let transactionIds: TransactionIds
    let clock: any LedgerClock
    let bindingWindow: Duration
    /// The least time between two Session PATCHes while charging.
    let updateInterval: Duration = .seconds(300)
    let logger: Logger

    private var pushes: SessionPushes { SessionPushes(locations: locations) }
    /// Shared by the copies of this service (a struct): the tariffs its stops are priced with.
    private let parsedTariffs = ParsedTariffs()
    private var pricing: SessionPricing { SessionPricing(store: store, locations: locations, parsed: parsedTariffs) }
    /// Which command or swipe a new transaction belongs to.
    var binding: SessionBinding { SessionBinding(store: store, clock: clock, window: bindingWindow) }

    /// Authorize.req: a local RFID swipe, checked with the IOP in real time.
    func authorize(_ chargePointId: String, _ payload: JSONValue, frame: String) async throws -> JSONValue {
        guard let idTag = payload["idTag"]?.stringValue else {
            throw OCPPFrame.Malformed(messageId: "", code: "FormationViolation", description: "idTag is required")
        }
        let decided = try await authorize(idTag: idTag, at: chargePointId)
        let status =
            switch decided.allowed {
            case "ALLOWED": "Accepted"
            case "BLOCKED": "Blocked"
            case "EXPIRED": "Expired"
            default: "Invalid"
            }
        return .object(["idTagInfo": .object(["status": .string(status)])])
    }

    /// A token presented at a charge point (OCPP 1.6 idTag, 2.0.1 idToken), decided and recorded:
    /// by the START_SESSION that stands for it, else by the IOP in real time, else by the fallback.
    func authorize(idTag: String, at chargePointId: String) async throws -> AuthorizationDecided {
        // Gireve authorizes for exactly one EVSE: the charge point's (its first connector's, if several).
        let evse = locations.evses(chargePointId: chargePointId).first
        let metadata = EventMetadata(source: "ocpp:\(chargePointId)", correlationId: "authorize-\(chargePointId)-\(idTag)")
        _ = try await store.append(
            [
                try EventCoding.newEvent(
                    AuthorizeRequested(
                        chargePointId: chargePointId,
                        idTag: idTag,
                        connectorId: evse?.connectorId,
                        locationId: evse?.locationId,
                        evseUid: evse?.uid
                    ),
                    metadata: metadata
                )
            ],
            to: StreamID.chargePoint(chargePointId),
            expectedVersion: .any
        )
        let answer: TokenAuthorization?
        var decidedBy = "iop"
        if let command = try await startedByCommand(idTag: idTag, chargePointId: chargePointId) {
            answer = TokenAuthorization(allowed: "ALLOWED", authorizationId: command.authorizationId, token: command.token)
            decidedBy = "command:\(command.commandId)"
        } else if let evse, let authorizer {
            answer = await authorizer.authorize(uid: idTag, locationId: evse.locationId, evseUid: evse.uid)
        } else {
            answer = nil
        }
        let decided = AuthorizationDecided(
            chargePointId: chargePointId,
            idTag: idTag,
            allowed: answer?.allowed ?? rfidFallback,
            authorizationId: answer?.authorizationId,
            decidedBy: answer == nil ? "fallback" : decidedBy,
            locationId: evse?.locationId,
            evseUid: evse?.uid,
            token: answer?.token
        )
        _ = try await store.append(
            [
                try EventCoding.newEvent(
                    decided,
                    metadata: EventMetadata(
                        source: decided.decidedBy.hasPrefix("command:") ? "command" : decided.decidedBy,
                        correlationId: metadata.correlationId
                    )
                )
            ],
            to: StreamID.chargePoint(chargePointId),
            expectedVersion: .any
        )
        return decided
    }

    /// OCPI 2.2.1's 15-minute rule (spec digest §8.2): no real-time authorization of a token at a
    /// charge point within 15 minutes of a StartSession for it there — the eMSP authorized it by
    /// sending the command. A charger that authorizes a remote start's id tag (OCPP
    /// `AuthorizeRemoteTxRequests`) is answered from that command, the latest accepted one.
    private func startedByCommand(idTag: String, chargePointId: String) async throws -> CommandsProjection.State? {
        let evses = Set(locations.evses(chargePointId: chargePointId).map { "\($0.locationId)/\($0.uid)" })
        return try await store.read(CommandsProjection.startSessions(receivedSince: clock.now().adding(milliseconds: -Self.commandAuthorizes)))
            .last { command in
                command.ocpiVersion == OCPIVersion.v221.rawValue && command.answer?.result == CommandResult.accepted.rawValue
                    && evses.contains("\(command.locationId ?? "")/\(command.evseUid ?? "")")
                    && OCPI211OCPP16.presents(command.tokenUid, as: idTag)
            }
    }

    /// How long a StartSession stands for the token's authorization at its charge point: 15 minutes.
    static let commandAuthorizes: Int64 = 15 * 60_000

    /// StartTransaction.req → the `.conf` payload.
    func start(_ chargePointId: String, _ payload: JSONValue, messageId: String, frame: String) async throws -> JSONValue {
        guard let connector = payload["connectorId"]?.int64Value, let idTag = payload["idTag"]?.stringValue,
            let meterStart = payload["meterStart"]?.int64Value,
            let startedAt = payload["timestamp"]?.stringValue.flatMap(Timestamp.init(iso8601:))
        else {
            throw OCPPFrame.Malformed(
                messageId: "",
                code: "FormationViolation",
                description: "connectorId, idTag, meterStart and timestamp are required"
            )
        }
        let open = try await openSession(chargePointId, connectorId: Int(connector))
        if let open, open.idTag == idTag, open.startDatetime == startedAt, open.meterStartWh == Int(meterStart) {
            let matched = ["open", "connector", "id_tag", "meter_start", "timestamp"] + (open.startMessageId == messageId ? ["message_id"] : [])
            try await recordRepeat("StartTransaction", of: open, matchedOn: matched, messageId: messageId, frame: frame)
            return Self.conf(status: "Accepted", transactionId: open.transactionId)
        }
        // Taken, as OCPP says (the charger has started charging), but never silently: each is an
        // anomaly on the new session, for an operator to look at before the CDR is billed.
        var concerns = implausible(meter: Int(meterStart), at: startedAt, what: "meter start")
        if let open {
            concerns.append("connector \(connector) still has session \(open.id) open (its StopTransaction never came?): both are kept")
        }
        guard let evse = locations.evse(chargePointId: chargePointId, connectorId: Int(connector)) else {
            let transactionId = await transactionIds.next()
            try await record(
                TransactionAnomaly(
                    chargePointId: chargePointId,
                    transactionId: TransactionId(ocpp16: transactionId),
                    sessionId: nil,
                    reason: "connector \(connector) is not in the locations file",
                    frame: frame
                ),
                chargePointId
            )
            return Self.conf(status: "Invalid", transactionId: TransactionId(ocpp16: transactionId))
        }
        return try await transactionIds.withFreshId(in: store) { transactionId in
            try await startSession(
                sessionId: String(transactionId),
                transactionId: TransactionId(ocpp16: transactionId),
                chargePointId: chargePointId,
                connector: Int(connector),
                idTag: idTag,
                meterStart: Int(meterStart),
                startedAt: startedAt,
                evse: evse,
                messageId: messageId,
                concerns: concerns,
                frame: frame
            )
            return Self.conf(status: "Accepted", transactionId: TransactionId(ocpp16: transactionId))
        }
    }

    /// Records session `sessionId` of transaction `transactionId` (a stream of its own, which must
    /// not exist yet), bound as `proved` says when the charger proved which command caused it
    /// (OCPP 2.0.1's remoteStartId), else as `SessionBinding` infers.
    func startSession(
        sessionId: String,
        transactionId: TransactionId,
        chargePointId: String,
        connector: Int,
        idTag: String,
        meterStart: Int,
        startedAt: Timestamp,
        evse: LocationRegistry.EVSE,
        messageId: String,
        concerns: [String],
        frame: String,
        proved: SessionBinding.Binding? = nil,
        also: [any DomainEventPayload] = []
    ) async throws {
        let binding: SessionBinding.Binding
        if let proved {
            binding = proved
        } else {
            let commandBinding = try await self.binding.bind(sessionId: sessionId, idTag: idTag, evse: evse, startedAt: startedAt)
            binding =
                commandBinding.event.candidates == 0
                ? try await self.binding.bindSwipe(sessionId: sessionId, idTag: idTag, chargePointId: chargePointId, startedAt: startedAt)
                    ?? commandBinding
                : commandBinding
        }
        let tariff = try await pricing.tariffInForce(at: evse)
        let started = SessionStarted(
            sessionId: sessionId,
            chargePointId: chargePointId,
            connectorId: connector,
            transactionId: transactionId,
            idTag: idTag,
            locationId: evse.locationId,
            evseUid: evse.uid,
            authId: binding.command?.authId ?? binding.swipeToken?.contractId ?? idTag,
            authMethod: "AUTH_REQUEST",
            startedAt: startedAt,
            meterStartWh: meterStart,
            currency: tariff?.currency ?? "EUR",
            authorizationId: binding.event.authorizationId,
            commandId: binding.event.commandId,
            messageId: messageId,
            tariff: tariff?.version,
            token: binding.command?.token ?? binding.swipeToken
        )
        let metadata = EventMetadata(source: "ocpp:\(chargePointId)", correlationId: sessionId)
        var events = [try EventCoding.newEvent(started, metadata: metadata), try EventCoding.newEvent(binding.event, metadata: metadata)]
        for payload in also { events.append(try EventCoding.newEvent(payload, metadata: metadata)) }
        for concern in concerns {
            events.append(
                try EventCoding.newEvent(
                    TransactionAnomaly(
                        chargePointId: chargePointId,
                        transactionId: transactionId,
                        sessionId: sessionId,
                        reason: concern,
                        frame: frame
                    ),
                    metadata: metadata
                )
            )
        }
        if let endpoint = try await iop.endpoint(),
            let put = pushes.started(started, to: endpoint, correlationId: binding.command?.exchange?.correlationId, at: clock.now())
        {
            events.append(try EventCoding.newEvent(put, metadata: metadata))
        }
        _ = try await store.append(events, to: StreamID.session(sessionId), expectedVersion: .noStream)
        logger.info("session \(sessionId) started", metadata: ["authorization_id": .untrusted(started.authorizationId ?? "")])
    }

    /// MeterValues.req: the energy register (Energy.Active.Import.Register, Wh unless kWh).
    func meterValues(_ chargePointId: String, _ payload: JSONValue, frame: String) async throws -> JSONValue {
        guard let number = payload["transactionId"]?.int64Value else { return .object([:]) }
        let transactionId = TransactionId(ocpp16: Int(number))
        guard let session = try await activeSession(String(number), on: chargePointId) else {
            try await record(
                TransactionAnomaly(
                    chargePointId: chargePointId,
                    transactionId: transactionId,
                    sessionId: nil,
                    reason: "meter values for an unknown or finished transaction, or another charge point's",
                    frame: frame
                ),
                chargePointId
            )
            return .object([:])
        }
        guard case .array(let values)? = payload["meterValue"] else { return .object([:]) }
        var readings: [SessionsProjection.State.Reading] = []
        for value in values {
            guard let time = value["timestamp"]?.stringValue.flatMap(Timestamp.init(iso8601:)), case .array(let samples)? = value["sampledValue"]
            else { continue }
            for sample in samples where (sample["measurand"]?.stringValue ?? "Energy.Active.Import.Register") == "Energy.Active.Import.Register" {
                guard let reading = sample["value"]?.stringValue.flatMap(Double.init) else { continue }
                readings.append(.init(at: time, wh: Int((sample["unit"]?.stringValue == "kWh" ? reading * 1000 : reading).rounded())))
            }
        }
        try await record(readings: readings, of: session)
        return .object([:])
    }

    /// Records energy register readings of a running session, with the PATCH that tells the IOP
    /// of its progress when one is due, and `also` (what the message itself proves) in the same append.
    func record(
        readings: [SessionsProjection.State.Reading],
        of session: SessionsProjection.State,
        also: [any DomainEventPayload] = []
    )
        async throws
    {
        let metadata = EventMetadata(source: "ocpp:\(session.chargePointId)", correlationId: session.id)
        var events = try also.map { try EventCoding.newEvent($0, metadata: metadata) }
        var updated = session
        for reading in readings {
            events.append(
                try EventCoding.newEvent(MeterValuesRecorded(sessionId: session.id, measuredAt: reading.at, meterWh: reading.wh), metadata: metadata)
            )
            updated.read(meterWh: reading.wh, at: reading.at)
        }
        // The IOP hears of progress at most every `updateInterval` (gireve-iop.md [REC]: no flood of kWh PATCHes).
        let now = clock.now()
        if !readings.isEmpty, (session.lastPushAt ?? session.startDatetime).adding(milliseconds: updateInterval.milliseconds) <= now,
            let endpoint = try await iop.endpoint(), endpoint.session(session.id) != nil
        {
            // Priced as if it ended at the last reading: the running total_cost the spec digest §3.1 [REC] allows.
            let running = try await pricing.price(updated, stoppedAt: updated.lastReadingAt)
            if let patch = pushes.progress(updated, running: running, to: endpoint, at: now) {
                events.append(try EventCoding.newEvent(patch, metadata: metadata))
            }
        }
        if !events.isEmpty { _ = try await store.append(events, to: StreamID.session(session.id), expectedVersion: .any) }
    }

    /// StopTransaction.req: the session ends; its CDR is issued from the recorded meter values,
    /// unless the numbers cannot be true (then an anomaly, and no CDR is invented).
    func stop(_ chargePointId: String, _ payload: JSONValue, messageId: String, frame: String) async throws -> JSONValue {
        guard let number = payload["transactionId"]?.int64Value, let meterStop = payload["meterStop"]?.int64Value,
            let endedAt = payload["timestamp"]?.stringValue.flatMap(Timestamp.init(iso8601:))
        else {
            throw OCPPFrame.Malformed(messageId: "", code: "FormationViolation", description: "transactionId, meterStop and timestamp are required")
        }
        let transactionId = TransactionId(ocpp16: Int(number))
        let accepted = JSONValue.object(["idTagInfo": .object(["status": .string("Accepted")])])
        guard let session = try await activeSession(transactionId.text, on: chargePointId) else {
            if let ended = try await store.state(SessionsProjection.self, transactionId.text), ended.chargePointId == chargePointId,
                ended.status == .completed, ended.endDatetime == endedAt, ended.lastMeterWh == Int(meterStop)
            {
                try await recordRepeat(
                    "StopTransaction",
                    of: ended,
                    matchedOn: ["completed", "meter_stop", "timestamp"],
                    messageId: messageId,
                    frame: frame
                )
                return accepted
            }
            try await record(
                TransactionAnomaly(
                    chargePointId: chargePointId,
                    transactionId: transactionId,
                    sessionId: nil,
                    reason: "StopTransaction for an unknown or finished transaction, or another charge point's",
                    frame: frame
                ),
                chargePointId
            )
            return accepted
        }
        try await end(session, at: endedAt, meterStopWh: Int(meterStop), reason: payload["reason"]?.stringValue, frame: frame)
        return accepted
    }

    /// Ends a running session: `SessionEnded`, its CDR priced from the recorded readings and the
    /// IOP's final Session and CDR — unless the numbers cannot be true (then an anomaly, and no CDR
    /// is invented). `also` and `concerns` go in the same append.
    func end(
        _ session: SessionsProjection.State,
        at endedAt: Timestamp,
        meterStopWh meterStop: Int,
        reason: String?,
        frame: String,
        concerns: [String] = [],
        also: [any DomainEventPayload] = []
    ) async throws {
        let ended = SessionEnded(sessionId: session.id, endedAt: endedAt, meterStopWh: meterStop, reason: reason)
        let metadata = EventMetadata(source: "ocpp:\(session.chargePointId)", correlationId: session.id)
        var events = try also.map { try EventCoding.newEvent($0, metadata: metadata) }
        events.append(try EventCoding.newEvent(ended, metadata: metadata))
        func anomaly(_ reason: String) throws -> NewEvent {
            try EventCoding.newEvent(
                TransactionAnomaly(
                    chargePointId: session.chargePointId,
                    transactionId: session.transactionId,
                    sessionId: session.id,
                    reason: reason,
                    frame: frame
                ),
                metadata: metadata
            )
        }
        for concern in concerns + implausible(meter: meterStop, at: endedAt, what: "meter stop") { events.append(try anomaly(concern)) }
        if meterStop < session.lastMeterWh || endedAt < session.startDatetime {
            events.append(
                try anomaly("meter stop \(meterStop) Wh below the last reading \(session.lastMeterWh) Wh, or end before start: no CDR issued")
            )
        } else {
            var final = session
            final.read(meterWh: meterStop, at: endedAt)
            let priced = try await pricing.price(final, stoppedAt: endedAt)
            let cdr = CdrIssued(
                cdrId: "CDR-\(session.id)",
                sessionId: session.id,
                authorizationId: session.authorizationId,
                authId: session.authId,
                authMethod: session.authMethod,
                locationId: session.locationId,
                evseUid: session.evseUid,
                currency: priced?.result.currency ?? session.currency,
                startDateTime: session.startDatetime,
                stopDateTime: endedAt,
                totalEnergy: final.kwh,
                totalTime: Double(endedAt.millisecondsSinceEpoch - session.startDatetime.millisecondsSinceEpoch) / 3_600_000,
                totalParkingTime: priced.map { SessionPricing.volume($0.result.totalParkingTime) },
                totalCost: priced?.result.totalCost ?? 0,
                chargingPeriods: priced?.periods ?? final.chargingPeriods,
                tariffs: priced.map { [$0.tariff] },
                pricing: priced?.pricing,
                token: session.token
            )
            events.append(try EventCoding.newEvent(cdr, metadata: metadata))
            if let endpoint = try await iop.endpoint() {
                for delivery in pushes.ended(session, final: final, ended: ended, cdr: cdr, to: endpoint, at: clock.now()) {
                    events.append(try EventCoding.newEvent(delivery, metadata: metadata))
                }
            }
        }
        _ = try await store.append(events, to: StreamID.session(session.id), expectedVersion: .any)
    }

    /// How far a charger's clock may be from ours before its transaction time is doubted: ahead by
    /// more than ten minutes, or behind by more than the thirty days an offline charger may hold
    /// its transactions.
    static let clockAhead: Int64 = 10 * 60_000, clockBehind: Int64 = 30 * 24 * 3_600_000

    /// What is implausible in a transaction message's meter reading and time (empty: nothing).
    func implausible(meter: Int, at time: Timestamp, what: String) -> [String] {
        var concerns: [String] = []
        if meter < 0 { concerns.append("\(what) \(meter) Wh is negative") }
        let now = clock.now()
        let ahead = time.millisecondsSinceEpoch - now.millisecondsSinceEpoch
        if ahead > Self.clockAhead || ahead < -Self.clockBehind {
            concerns.append("\(what) time \(time.iso8601) is far from the ledger's \(now.iso8601) (the charger's clock?)")
        }
        return concerns
    }

    /// A StartTransaction.conf: 1.6 transaction ids are the ledger's integers.
    static func conf(status: String, transactionId: TransactionId) -> JSONValue {
        .object(["idTagInfo": .object(["status": .string(status)]), "transactionId": .number(transactionId.text)])
    }

    /// The running session `sessionId` — if it runs on `chargePointId`: OCPP 1.6 transaction ids
    /// are ours and global, so a charger naming another charger's transaction is told nothing and changes nothing.
    func activeSession(_ sessionId: String, on chargePointId: String) async throws -> SessionsProjection.State? {
        guard let session = try await store.state(SessionsProjection.self, sessionId),
            session.status == .active, session.chargePointId == chargePointId
        else { return nil }
        return session
    }

    /// The session still open on this charge point and connector, if any. A StartTransaction is a
    /// resend only of that one: OCPP 1.6 chargers resend transaction messages whose answer they
    /// did not get (the connection dropped after we recorded it), and such a charger cannot have
    /// ended the transaction, since it never learned its id. A start that matches a session
    /// already ended is a new charge — a driver retrying at once, a 0 kWh session — not a resend.
    private func openSession(_ chargePointId: String, connectorId: Int) async throws -> SessionsProjection.State? {
        try await store.read(SessionsProjection.open(chargePoint: chargePointId)).first { $0.connectorId == connectorId }
    }

    /// The id of the session open on this connector, if any: a status change during it is part of its record.
    func openSessionId(_ chargePointId: String, connectorId: Int) async throws -> String? {
        try await openSession(chargePointId, connectorId: connectorId)?.id
    }

    /// Records a transaction message sent again, answered as the first time: the audit shows why it
    /// opened no session (or ended nothing) rather than a log line alone.
    func recordRepeat(
        _ action: String,
        of session: SessionsProjection.State,
        matchedOn: [String],
        messageId: String,
        frame: String
    ) async throws {
        let repeated = TransactionMessageRepeated(
            chargePointId: session.chargePointId,
            action: action,
            sessionId: session.id,
            transactionId: session.transactionId,
            matchedOn: matchedOn,
            messageId: messageId,
            frame: frame
        )
        let metadata = EventMetadata(source: "ocpp:\(session.chargePointId)", correlationId: session.id)
        _ = try await store.append([try EventCoding.newEvent(repeated, metadata: metadata)], to: StreamID.session(session.id), expectedVersion: .any)
        logger.info("\(action) of transaction \(session.transactionId) sent again: answered as before")
    }

    /// Appends one event; a failure propagates, so the charger's CALL is answered InternalError
    /// rather than acknowledged with nothing recorded.
    func record(_ payload: some DomainEventPayload, _ chargePointId: String, stream: String? = nil) async throws {
        let event = try EventCoding.newEvent(payload, metadata: EventMetadata(source: "ocpp:\(chargePointId)"))
        _ = try await store.append([event], to: stream ?? StreamID.chargePoint(chargePointId), expectedVersion: .any)
    }
}
