import Domain
import Foundation
import Ledger
import Projections

/// OCPP 2.0.1 TransactionEvents become the same Sessions and CDRs as OCPP 1.6 transactions
/// (`TransactionService` does the recording, pricing and pushes for both).
///
/// What 2.0.1 adds is proof: the station numbers every event (`seqNo`) and echoes the
/// `remoteStartId` of the command that started it. A session is created at the first event that
/// has a token and an EVSE; it is bound to the command by that id when the station echoes it,
/// else inferred as for 1.6 (`SessionBinding`); each event's number is recorded
/// (`TransactionEventReceived`), a number received twice is a resend answered as before, and one
/// still missing when the transaction ends flags the session (`transaction_messages_missing`)
/// until it arrives.
struct StationTransactions: Sendable {
    let transactions: TransactionService
    let chargePointId: String

    private var store: any ProjectionStore { transactions.store }
    private var locations: LocationRegistry { transactions.locations }

    /// TransactionEvent → its answer: `idTokenInfo` whenever the event carried an idToken (Part 2
    /// §1.60.2). The ledger does not refuse a transaction the station already runs: the token was
    /// decided before (Authorize, or our own remote start), so the answer is `Accepted`.
    func handle(_ payload: JSONValue, messageId: String, frame: String) async throws -> JSONValue {
        let info = payload["transactionInfo"]
        guard let id = info?["transactionId"]?.stringValue, let seqNo = payload["seqNo"]?.int64Value,
            let eventType = payload["eventType"]?.stringValue, let trigger = payload["triggerReason"]?.stringValue,
            let timestamp = payload["timestamp"]?.stringValue.flatMap(Timestamp.init(iso8601:))
        else {
            throw OCPPFrame.Malformed(
                messageId: messageId,
                code: "OccurrenceConstraintViolation",
                description: "TransactionEventRequest is incomplete"
            )
        }
        let transactionId = TransactionId(station: id)
        let sessionId = OCPP201Sessions.sessionId(chargePointId: chargePointId, transactionId: transactionId)
        let idToken = payload["idToken"]?["idToken"]?.stringValue
        let samples = EnergyRegister.samples(payload["meterValue"])
        let answer: JSONValue = idToken == nil ? .object([:]) : .object(["idTokenInfo": .object(["status": .string("Accepted")])])
        let event = Event(
            received: TransactionEventReceived(
                chargePointId: chargePointId,
                transactionId: transactionId,
                sessionId: sessionId,
                seqNo: Int(seqNo),
                eventType: eventType,
                triggerReason: trigger,
                timestamp: timestamp,
                offline: payload["offline"] == .bool(true) ? true : nil,
                remoteStartId: info?["remoteStartId"]?.int64Value.map { Int($0) },
                messageId: messageId,
                chargingState: info?["chargingState"]?.stringValue,
                meterWh: (samples.first { $0.context == "Transaction.Begin" } ?? samples.first)?.reading.wh,
                evseId: payload["evse"]?["id"]?.int64Value.map { Int($0) }
            ),
            idToken: idToken,
            stoppedReason: info?["stoppedReason"]?.stringValue,
            samples: samples,
            frame: frame
        )
        if let session = try await store.state(SessionsProjection.self, sessionId) {
            try await apply(event, to: session)
        } else {
            try await start(event)
        }
        return answer
    }

    /// What one TransactionEvent says, read once.
    struct Event {
        var received: TransactionEventReceived
        let idToken: String?
        let stoppedReason: String?
        let samples: [EnergyRegister.Sample]
        let frame: String
    }

    /// The first event of a transaction with a token: its session. Before one (a cable plugged in
    /// with no token yet, F01/E02), the event is recorded on the station's stream, which keeps the
    /// transaction's EVSE and first register for the session it gets when its token comes.
    private func start(_ event: Event) async throws {
        let received = event.received
        let pending =
            received.evseId == nil || event.samples.isEmpty
            ? try await store.state(ChargePointsProjection.self, chargePointId)?.pendingTransactions?[received.transactionId.text.lowercased()]
            : nil
        // The commands sent to this station with the id the event echoes: its EVSE, and the proof.
        var echoed: (remoteStartId: Int, commands: [CommandsProjection.State])?
        if let remoteStartId = received.remoteStartId {
            echoed = (remoteStartId, try await store.read(CommandsProjection.sentWith(remoteStartId: remoteStartId, to: chargePointId)))
        }
        guard let idToken = event.idToken, let evse = evse(of: event, pending: pending, echoed: echoed?.commands) else {
            var early = received
            early.sessionId = nil
            let reason =
                if event.idToken != nil, received.evseId.map({ locations.evse(chargePointId: chargePointId, ocppEvseId: $0) == nil }) == true {
                    "transaction \(received.transactionId) runs on EVSE \(received.evseId ?? 0), which the locations file does not wire to \(chargePointId): no session"
                } else if received.eventType == "Ended" {
                    "TransactionEvent Ended for transaction \(received.transactionId), which has no session here (its start never arrived?): no CDR"
                } else {
                    String?.none
                }
            try await transactions.record(early, chargePointId)
            if let reason {
                try await transactions.record(
                    TransactionAnomaly(
                        chargePointId: chargePointId,
                        transactionId: received.transactionId,
                        sessionId: nil,
                        reason: reason,
                        frame: event.frame
                    ),
                    chargePointId
                )
            }
            return
        }
        var concerns: [String] = []
        var proved: SessionBinding.Binding?
        if let (remoteStartId, commands) = echoed {
            if let verdict = transactions.binding.bind(
                sessionId: received.sessionId ?? "",
                remoteStartId: remoteStartId,
                commands: commands,
                chargePointId: chargePointId,
                idToken: idToken,
                evse: evse,
                startedAt: received.timestamp
            ) {
                proved = verdict.binding
                concerns += verdict.concerns
            } else {
                concerns.append("remoteStartId \(remoteStartId) is not one this ledger sent to \(chargePointId): the link is inferred")
            }
        }
        // The transaction's first register: this event's, or the one it began with before its token.
        let begin = event.samples.first { $0.context == "Transaction.Begin" } ?? event.samples.first
        let meterStart = pending?.meterWh ?? begin?.reading.wh
        if meterStart == nil { concerns.append("the transaction's events so far carried no energy register: meter start taken as 0 Wh") }
        try await transactions.startSession(
            sessionId: received.sessionId ?? "",
            transactionId: received.transactionId,
            chargePointId: chargePointId,
            connector: evse.connectorId,
            idTag: idToken,
            meterStart: meterStart ?? 0,
            startedAt: received.timestamp,
            evse: evse,
            messageId: received.messageId,
            concerns: concerns + transactions.implausible(meter: meterStart ?? 0, at: received.timestamp, what: "meter start"),
            frame: event.frame,
            proved: proved,
            also: [received]
        )
        // What else the first event carried: more readings, or the end of a transaction that ran offline.
        let rest = pending?.meterWh == nil ? event.samples.filter { $0 != begin } : event.samples
        guard !rest.isEmpty || received.eventType == "Ended", let session = try await store.state(SessionsProjection.self, received.sessionId ?? "")
        else { return }
        try await apply(
            Event(received: received, idToken: nil, stoppedReason: event.stoppedReason, samples: rest, frame: event.frame),
            to: session,
            recorded: true
        )
    }

    /// An event of a transaction that has its session: a resend, readings, or its end.
    private func apply(_ event: Event, to session: SessionsProjection.State, recorded: Bool = false) async throws {
        let received = event.received
        if !recorded, session.seqNos?.contains(received.seqNo) == true {
            try await transactions.recordRepeat(
                "TransactionEvent",
                of: session,
                matchedOn: ["transaction_id", "seq_no"],
                messageId: received.messageId,
                frame: event.frame
            )
            return
        }
        var also: [any DomainEventPayload] = recorded ? [] : [received]
        if !recorded, let remoteStartId = received.remoteStartId, session.commandIds.isEmpty {
            also += try await lateProof(of: session, remoteStartId: remoteStartId, frame: event.frame)
        }
        guard session.status == .active else {
            // A number the station sent late, after the end: it fills the gap in the record.
            try await transactions.record(readings: [], of: session, also: also)
            return
        }
        guard received.eventType == "Ended" else {
            try await transactions.record(readings: event.samples.map(\.reading), of: session, also: also)
            return
        }
        let end = event.samples.last { $0.context == "Transaction.End" } ?? event.samples.last
        var running = session
        var readings: [any DomainEventPayload] = []
        for sample in event.samples where sample != end {
            readings.append(MeterValuesRecorded(sessionId: session.id, measuredAt: sample.reading.at, meterWh: sample.reading.wh))
            running.read(meterWh: sample.reading.wh, at: sample.reading.at)
        }
        try await transactions.end(
            running,
            at: received.timestamp,
            meterStopWh: end?.reading.wh ?? running.lastMeterWh,
            // OCPP 2.0.1 leaves stoppedReason out only when it is Local (Part 2 §2.48).
            reason: event.stoppedReason ?? "Local",
            frame: event.frame,
            also: also + readings
        )
    }

    /// A `remoteStartId` echoed after the session began, by a session no command is bound to yet
    /// (the inference found several candidates, or none): the proof binds it now (late truth is
    /// still truth), and what did not agree is recorded on the session.
    private func lateProof(of session: SessionsProjection.State, remoteStartId: Int, frame: String) async throws -> [any DomainEventPayload] {
        guard let evse = locations.evse(location: session.locationId, uid: session.evseUid),
            let verdict = transactions.binding.bind(
                sessionId: session.id,
                remoteStartId: remoteStartId,
                commands: try await store.read(CommandsProjection.sentWith(remoteStartId: remoteStartId, to: chargePointId)),
                chargePointId: chargePointId,
                idToken: session.idTag,
                evse: evse,
                startedAt: session.startDatetime
            ), verdict.binding.event.candidates == 1
        else { return [] }
        let concerns = verdict.concerns.map {
            TransactionAnomaly(chargePointId: chargePointId, transactionId: session.transactionId, sessionId: session.id, reason: $0, frame: frame)
        }
        return [verdict.binding.event] + concerns
    }

    /// The EVSE a new transaction runs on: the one the event names (or an earlier event of the
    /// same transaction named), else the one the echoed command (`echoed`) was sent to, else the station's only EVSE.
    private func evse(
        of event: Event,
        pending: ChargePointsProjection.State.PendingTransaction?,
        echoed: [CommandsProjection.State]?
    ) -> LocationRegistry.EVSE? {
        if let evseId = event.received.evseId ?? pending?.evseId { return locations.evse(chargePointId: chargePointId, ocppEvseId: evseId) }
        if let command = echoed?.first, let location = command.locationId, let uid = command.evseUid {
            return locations.evse(location: location, uid: uid)
        }
        let evses = locations.evses(chargePointId: chargePointId)
        return evses.count == 1 ? evses.first : nil
    }
}
