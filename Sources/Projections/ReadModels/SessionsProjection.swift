import CanonicalCoding
import Domain
import Ledger

/// OCPI 2.1.1 Session state per session id, with every authorization received for it and the
/// evidence of each binding.
public struct SessionsProjection: Projection {
    @Canonical
    public struct State: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
        /// One `authorization_id` received for this session, when and how.
        @Canonical
        public struct ReceivedAuthorization: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
            public var authorizationId: String
            public var at: Timestamp
            public var position: Int64
            public var via: String
        }

        @Canonical
        public struct Binding: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
            public var authorizationId: String?
            public var commandId: String?
            public var matchedOn: [String]
            public var deltaMs: Int64?
            public var candidates: Int
            public var position: Int64
        }

        @Canonical
        public struct IssuedCdr: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
            public var cdrId: String
            public var authorizationId: String?
        }

        /// The energy register at an instant, as the charger reported it: what the CDR is priced from.
        @Canonical
        public struct Reading: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
            public var at: Timestamp
            public var wh: Int
            public init(at: Timestamp, wh: Int) {
                self.at = at
                self.wh = wh
            }
        }

        /// Time the EV was not charging (OCPP SuspendedEV, Finishing); `to` absent while it lasts.
        @Canonical
        public struct NotCharging: Codable, Sendable, Equatable, CanonicalReadable, CanonicalWritable {
            public var from: Timestamp
            public var to: Timestamp?
        }

        public var id: String
        public var startDatetime: Timestamp
        public var endDatetime: Timestamp?
        public var kwh: Double
        public var authId: String
        public var authMethod: String
        public var locationId: String
        public var evseUid: String
        public var chargePointId: String
        public var connectorId: Int
        public var transactionId: TransactionId
        public var idTag: String
        public var currency: String
        public var chargingPeriods: [ChargingPeriod]
        public var status: SessionStatus
        public var lastUpdated: Timestamp
        /// The `authorization_id` to send: the last relevant one received. Absent when none.
        public var authorizationId: String?
        public var authorizations: [ReceivedAuthorization]
        public var bindings: [Binding]
        public var commandIds: [String]
        public var cdrs: [IssuedCdr]
        public var meterStartWh: Int
        public var lastMeterWh: Int
        public var lastReadingAt: Timestamp
        /// When the IOP was last sent this session (PUT or PATCH): updates are throttled from it.
        public var lastPushAt: Timestamp?
        /// The StartTransaction's OCPP-J message id, when recorded: a resend with the same id is the same message.
        public var startMessageId: String?
        /// What the charger reported that cannot be true as it stands (`TransactionAnomaly`), in order; absent when nothing.
        public var concerns: [String]?
        /// The tariff version the session is priced with (`SessionStarted.tariff`).
        public var tariff: TariffVersion?
        /// Every meter reading from the start to the stop, in order.
        public var readings: [Reading]?
        /// The not-charging spans the charger reported while the session ran, in order.
        public var notCharging: [NotCharging]?
        /// The token as the OCPI 2.2.1 command that started it named it (`SessionStarted.token`).
        public var token: TokenSnapshot?
        /// The OCPP 2.0.1 TransactionEvent `seqNo`s received for it, ascending; absent for OCPP 1.6.
        public var seqNos: [Int]?
        public var positions: [Int64]

        /// The `seqNo`s between the first and the last received that never came (OCPP 2.0.1 E 1.3.2:
        /// a transaction is complete when every number from its Started to its Ended arrived), the
        /// first 100 of them: a station jumping from 1 to 2^31 names a gap, not a list to build.
        public var missingSeqNos: [Int] {
            var missing: [Int] = []
            for (before, after) in zip(seqNos ?? [], (seqNos ?? []).dropFirst()) where after > before + 1 {
                missing += (before + 1)..<min(after, before + 1 + 100 - missing.count)
                if missing.count == 100 { break }
            }
            return missing
        }

        mutating func receive(_ authorizationId: String?, at: Timestamp, position: Int64, via: String) {
            guard let authorizationId else { return }
            if self.authorizationId != authorizationId {
                authorizations.append(.init(authorizationId: authorizationId, at: at, position: position, via: via))
            }
            self.authorizationId = authorizationId
        }

        /// Closes the current charging period at a new meter reading.
        public mutating func read(meterWh: Int, at time: Timestamp) {
            readings = (readings ?? []) + [Reading(at: time, wh: meterWh)]
            let energy = Double(meterWh - lastMeterWh) / 1000
            chargingPeriods.append(ChargingPeriod(startDateTime: lastReadingAt, dimensions: [CdrDimension(type: "ENERGY", volume: energy)]))
            lastMeterWh = meterWh
            lastReadingAt = time
            kwh = Double(meterWh - meterStartWh) / 1000
        }

        /// OCPP 2.0.1's `chargingState` as the 1.6 status that means the same for parking time: the
        /// EV connected but not drawing energy (`EVConnected`, `Idle`, `SuspendedEV`) is parked as
        /// `SuspendedEV`/`Finishing` are; the station withholding energy (`SuspendedEVSE`) is not.
        static let chargingStates = [
            "Charging": "Charging", "SuspendedEVSE": "SuspendedEVSE", "SuspendedEV": "SuspendedEV", "EVConnected": "Finishing", "Idle": "Finishing",
        ]

        /// The OCPP 1.6 statuses that start or end a session's not-charging time.
        public static let parkingStatuses: Set<String> = ["SuspendedEV", "Finishing", "Charging", "SuspendedEVSE"]

        /// A connector status during the session: the EV stopped or resumed drawing energy. Per
        /// the spec digest §1.4.3 [REC], only the EV's own pause (SuspendedEV, or Finishing while
        /// the transaction runs) is parking time; SuspendedEVSE (the charger withholding energy)
        /// stays charging time, so the driver does not pay parking for the operator's load management.
        mutating func connector(status: String, at time: Timestamp) {
            var spans = notCharging ?? []
            let open = spans.last.map { $0.to == nil } ?? false
            switch (status, open) {
            case ("SuspendedEV", false), ("Finishing", false): spans.append(NotCharging(from: time))
            case ("Charging", true), ("SuspendedEVSE", true): spans[spans.count - 1].to = time
            default: return
            }
            notCharging = spans
        }
    }

    public static let name = "sessions"
    /// Sessions in id order, for pages that must not shift while sessions are added: keys are
    /// transaction ids, so numbers by value (length, then digits), after any other keys a log
    /// imported from elsewhere holds. In SQL both stores speak: a CAST, as SQLite allows, fails in
    /// PostgreSQL on text that is not a number.
    public static let idOrder = "ltrim(key, '0123456789') = '', length(key), key"

    public static let columnNames = ["status", "last_updated", "authorization_id", "evse_uid", "id_tag", "start_datetime", "charge_point_id"]

    public init() {}

    public func key(for event: DomainEvent) -> String? {
        switch event {
        case .sessionStarted(let e): e.sessionId
        case .authorizationBound(let e): e.sessionId
        case .meterValuesRecorded(let e): e.sessionId
        case .sessionEnded(let e): e.sessionId
        case .cdrIssued(let e): e.sessionId
        case .transactionAnomaly(let e): e.sessionId
        case .transactionMessageRepeated(let e): e.sessionId
        case .transactionEventReceived(let e): e.sessionId
        case .connectorStatusChanged(let e): e.sessionId
        case .deliveryScheduled(let e): e.kind == .commandResult ? nil : e.sessionId
        default: nil
        }
    }

    public func apply(_ state: inout State?, _ logged: LoggedEvent) {
        let at = logged.recordedAt
        if case .sessionStarted(let e) = logged.event {
            var started = State(
                id: e.sessionId,
                startDatetime: e.startedAt,
                kwh: 0,
                authId: e.authId,
                authMethod: e.authMethod,
                locationId: e.locationId,
                evseUid: e.evseUid,
                chargePointId: e.chargePointId,
                connectorId: e.connectorId,
                transactionId: e.transactionId,
                idTag: e.idTag,
                currency: e.currency,
                chargingPeriods: [],
                status: .active,
                lastUpdated: at,
                authorizations: [],
                bindings: [],
                commandIds: e.commandId.map { [$0] } ?? [],
                cdrs: [],
                meterStartWh: e.meterStartWh,
                lastMeterWh: e.meterStartWh,
                lastReadingAt: e.startedAt,
                startMessageId: e.messageId,
                tariff: e.tariff,
                readings: [State.Reading(at: e.startedAt, wh: e.meterStartWh)],
                token: e.token,
                positions: [logged.position]
            )
            started.receive(e.authorizationId, at: at, position: logged.position, via: "session_started")
            state = started
            return
        }
        state.update { state in fold(logged, into: &state) }
    }

    /// An event for a session already started.
    private func fold(_ logged: LoggedEvent, into state: inout State) {
        let at = logged.recordedAt
        state.positions.append(logged.position)
        // A resent message changes nothing of the session (nor its OCPI last_updated): it only
        // joins the session's trail, so its audit shows the resend.
        if case .transactionMessageRepeated = logged.event { return }
        state.lastUpdated = at
        switch logged.event {
        case .authorizationBound(let e):
            state.bindings.append(
                .init(
                    authorizationId: e.authorizationId,
                    commandId: e.commandId,
                    matchedOn: e.matchedOn,
                    deltaMs: e.deltaMs,
                    candidates: e.candidates,
                    position: logged.position
                )
            )
            if let commandId = e.commandId, e.candidates == 1 { state.commandIds.appendIfMissing(commandId) }
            if e.candidates == 1 { state.receive(e.authorizationId, at: at, position: logged.position, via: "authorization_bound") }
        case .meterValuesRecorded(let e):
            state.read(meterWh: e.meterWh, at: e.measuredAt)
        case .sessionEnded(let e):
            state.read(meterWh: e.meterStopWh, at: e.endedAt)
            state.endDatetime = e.endedAt
            state.status = .completed
        case .cdrIssued(let e):
            state.cdrs.append(.init(cdrId: e.cdrId, authorizationId: e.authorizationId))
        case .transactionAnomaly(let e):
            state.concerns = (state.concerns ?? []) + [e.reason]
        case .transactionEventReceived(let e):
            var seqNos = state.seqNos ?? []
            seqNos.insert(e.seqNo, at: seqNos.firstIndex { $0 > e.seqNo } ?? seqNos.endIndex)
            state.seqNos = seqNos
            if let charging = e.chargingState.flatMap({ State.chargingStates[$0] }) { state.connector(status: charging, at: e.timestamp) }
        case .connectorStatusChanged(let e):
            state.connector(status: e.status, at: e.timestamp ?? at)
        case .deliveryScheduled(let e) where e.kind == .sessionPut || e.kind == .sessionPatch:
            state.lastPushAt = at
        default:
            break
        }
    }

    public func columns(_ state: State) -> [SQLValue] {
        [
            .text(state.status.rawValue), .text(state.lastUpdated.iso8601), state.authorizationId.map(SQLValue.text) ?? .null,
            .text(state.evseUid), .text(state.idTag), .text(state.startDatetime.iso8601), .text(state.chargePointId),
        ]
    }

    public func lastPosition(_ state: State) -> Int64? { state.positions.max() }

    public func anomalies(_ state: State, key: String) -> [Anomaly] {
        let subject = "sessions:\(key)"
        var found: [Anomaly] = []
        func flag(_ kind: Anomaly.Kind, _ detail: String) {
            found.append(Anomaly(kind: kind, subject: subject, authorizationId: state.authorizationId, detail: detail))
        }
        if state.status == .completed, state.cdrs.isEmpty {
            flag(.sessionWithoutCdr, "the session ended at \(state.endDatetime?.iso8601 ?? "?") and no CDR was issued")
        }
        if state.cdrs.count > 1 {
            flag(.sessionWithSeveralCdrs, "CDRs \(state.cdrs.map(\.cdrId).joined(separator: ", ")) were issued for one session")
        }
        for cdr in state.cdrs where cdr.authorizationId != state.authorizationId {
            flag(
                .authorizationMismatch,
                "CDR \(cdr.cdrId) carries authorization_id \(cdr.authorizationId ?? "(none)") but the session's is \(state.authorizationId ?? "(none)")"
            )
        }
        let distinct = Set(state.authorizations.map(\.authorizationId))
        if distinct.count > 1 {
            flag(
                .severalAuthorizationsForSession,
                "authorizations received: \(state.authorizations.map { "\($0.authorizationId) at \($0.at.iso8601)" }.joined(separator: ", ")); the last is sent"
            )
        }
        // Resolved once a later binding found its one authorization (an OCPP 2.0.1 remoteStartId echoed late).
        let resolved = state.bindings.last.map { $0.candidates == 1 } ?? false
        for binding in state.bindings where binding.candidates != 1 && !resolved {
            flag(.unresolvedBinding, "binding at position \(binding.position) found \(binding.candidates) candidate authorizations")
        }
        for concern in state.concerns ?? [] { flag(.implausibleTransaction, concern) }
        if state.status == .completed, case let missing = state.missingSeqNos, !missing.isEmpty {
            flag(
                .transactionMessagesMissing,
                "seqNo \(missing.map(String.init).joined(separator: ", ")) of transaction \(state.transactionId) never arrived: "
                    + "the CDR is priced from the energy registers received"
            )
        }
        return found
    }
}
